package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeding from JSON, and the one-line errors a bad seed gives. */
class EmulatorSeedTest {
  @TempDir Path dir;

  static Path resource(String name) {
    return Path.of("src/test/resources/emulator", name);
  }

  @Test
  void theDemoSeedIsASmallUnmanagedOrgWithAFieldCrew() {
    FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).build();
    assertThat(fulcrum.members()).hasSize(6);
    FulcrumGroup crew = fulcrum.groups().stream().filter(g -> g.name().equals("Field Crew")).findFirst().orElseThrow();
    assertThat(crew.memberIds()).hasSize(3);
    assertThat(fulcrum.memberByEmail("jordan.lee@example.com")).map(FulcrumMember::email).hasValue("Jordan.Lee@example.com");
    assertThat(fulcrum.members()).filteredOn(m -> m.managed()).extracting(FulcrumMember::email).containsExactly("sam.okafor@example.com");
  }

  @Test
  void aSeedFileGivesCustomRolesManagedMembersAndCollidingNames() {
    FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(resource("collisions-seed.json")).build();
    assertThat(fulcrum.roles()).extracting(FulcrumRole::name).contains("Field Lead");
    FulcrumMember handMade = fulcrum.member("51e060bea93448c788000900").orElseThrow();
    assertThat(handMade.roleName()).as("a role named in any case").isEqualTo("Field Lead");
    assertThat(handMade.status()).isEqualTo("pending");
    assertThat(fulcrum.member("m-sso-1").orElseThrow().managed()).isTrue();
    assertThat(fulcrum.memberByEmail("plain@example.com").orElseThrow().roleId()).isEqualTo("r-field-lead");
    assertThat(fulcrum.group("g-north").orElseThrow().memberIds()).containsExactly("51e060bea93448c788000900", "m-sso-1");
  }

  @Test
  void seededGroupsDoNotGetTheOwner() {
    FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).build();
    assertThat(fulcrum.groups()).allMatch(g -> !g.memberIds().contains(fulcrum.ownerMembershipId()));
  }

  @Test
  void malformedJsonIsOneLineNamingFileAndPlace() {
    Path file = resource("malformed-seed.json");
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(file))
        .isInstanceOf(SeedException.class)
        .hasMessageStartingWith("emulator seed " + file + ": line 3, column")
        .hasMessageNotContaining("\n");
  }

  @Test
  void anUnknownKeyIsOneLineNamingTheKey() {
    assertThatThrownBy(() -> Seed.load(resource("unknown-key-seed.json")))
        .isInstanceOf(SeedException.class)
        .hasMessageContaining("frist_name")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aMissingFileSaysSo() {
    assertThatThrownBy(() -> Seed.load(dir.resolve("nope.json"))).hasMessageEndingWith("nope.json: no such file");
  }

  @Test
  void anUnknownRoleNamesTheMember() throws Exception {
    Path file = write("{\"members\":[{\"email\":\"a@example.com\",\"role\":\"Wizard\"}]}");
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(file).build())
        .isInstanceOf(SeedException.class)
        .hasMessage("emulator seed " + file + ": members[0] (a@example.com): role 'Wizard' is neither a role name nor a role id");
  }

  @Test
  void aDuplicateEmailInAnyCaseIsRefused() throws Exception {
    Path file = write("{\"members\":[{\"email\":\"a@example.com\"},{\"email\":\"A@Example.com\"}]}");
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(file).build())
        .hasMessage("emulator seed " + file + ": members[1] (A@Example.com): email has already been taken");
  }

  @Test
  void aGroupMemberMustExist() throws Exception {
    Path file = write("{\"groups\":[{\"name\":\"G\",\"members\":[\"ghost@example.com\"]}]}");
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(file).build())
        .hasMessageContaining("groups[0] (G): members 'ghost@example.com' is neither a member's email nor a membership id");
  }

  @Test
  void anIdUsedTwiceIsRefused() throws Exception {
    Path file = write("{\"members\":[{\"id\":\"x\",\"email\":\"a@example.com\"}],\"groups\":[{\"id\":\"x\",\"name\":\"G\"}]}");
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(file).build()).hasMessageContaining("'x' is used twice");
  }

  @Test
  void aCustomDefaultRoleTakesOverTheDefault() {
    Seed seed = new Seed(null, List.of(new Seed.SeedRole(null, "Crew", List.of("can_create_records"), true)), null, null);
    FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(seed).build();
    assertThat(fulcrum.roles()).filteredOn(FulcrumRole::isDefault).extracting(FulcrumRole::name).containsExactly("Crew");
  }

  @Test
  void anUnknownPermissionFlagIsRefused() {
    Seed seed = new Seed(null, List.of(new Seed.SeedRole(null, "Crew", List.of("can_fly"), false)), null, null);
    assertThatThrownBy(() -> FulcrumEmulator.builder().seed(seed).build()).hasMessageContaining("can_fly");
  }

  private Path write(String json) throws Exception {
    Path file = dir.resolve("seed.json");
    Files.writeString(file, json);
    return file;
  }
}
