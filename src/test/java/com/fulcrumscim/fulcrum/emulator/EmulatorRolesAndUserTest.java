package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.fulcrum.FulcrumRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roles.json} (decision 7) and {@code users.json} (decision 9). */
class EmulatorRolesAndUserTest {
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().ownerEmail("boss@fulcrum.example"));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void theFourSystemRolesAreSeededWithStandardUserAsDefault() {
    JsonNode roles = http.get("/api/v2/roles.json").json().get("roles");
    assertThat(roles.findValuesAsText("name")).containsExactly("Owner", "Manager", "Standard User", "Record Creator");
    assertThat(roles.findValues("is_system")).allMatch(JsonNode::asBoolean);
    assertThat(fulcrum.roles()).filteredOn(FulcrumRole::isDefault).extracting(FulcrumRole::name).containsExactly("Standard User");
  }

  @Test
  void rolesCarryEveryPermissionFlag() {
    JsonNode owner = http.get("/api/v2/roles.json").json().get("roles").get(0);
    assertThat(owner.get("can_manage_subscription").asBoolean()).isTrue();
    assertThat(owner.get("can_manage_groups").asBoolean()).isTrue();
    JsonNode standard = http.get("/api/v2/roles.json").json().get("roles").get(2);
    assertThat(standard.get("can_manage_members").asBoolean()).isFalse();
  }

  @Test
  void usersJsonNamesTheTokenOwner() {
    JsonNode user = http.get("/api/v2/users.json").json().get("user");
    assertThat(user.get("email").asText()).isEqualTo("boss@fulcrum.example");
    assertThat(user.get("id").asText()).isEqualTo(fulcrum.member(fulcrum.ownerMembershipId()).orElseThrow().userId());
    assertThat(user.get("current_organization").get("name").asText()).isEqualTo("Emulated Organization");
    assertThat(user.get("contexts").get(0).get("role").get("name").asText()).isEqualTo("Owner");
  }

  @Test
  void theOwnerIsAnOwnerMember() {
    assertThat(fulcrum.member(fulcrum.ownerMembershipId()).orElseThrow().roleName()).isEqualTo("Owner");
  }
}
