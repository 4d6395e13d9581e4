package com.fulcrumscim.fulcrum.emulator;

import static com.fulcrumscim.fulcrum.emulator.Http.change;
import static com.fulcrumscim.fulcrum.emulator.Http.quoted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Groups and their members, shared/fulcrum-api.md decision 8 and section 5. */
class EmulatorGroupsTest {
  static final String FIELD_CREW = "5f1a0c3e9b2d4e6f8a7b9e01";
  static final String PRIYA = "5f1a0c3e9b2d4e6f8a7b9c01";
  static final String MARCUS = "0b6f4f0e-6a3c-4d7e-9a51-3f2c8e1d7a02";

  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().seed(Seed.demo()).random(new Random(7)));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void theListCarriesMemberIdsOnlyWithAssociations() {
    JsonNode plain = http.get("/api/v2/groups.json").json();
    JsonNode full = http.get("/api/v2/groups.json?associations=true").json();
    assertThat(plain.get("groups")).hasSize(2);
    assertThat(plain.get("total_count").asInt()).isEqualTo(2);
    assertThat(plain.get("groups").get(0).has("member_ids")).isFalse();
    assertThat(full.get("groups").get(0).get("member_ids")).hasSize(3);
    assertThat(full.get("groups").get(0).get("form_ids")).isEmpty();
  }

  @Test
  void groupsPageLikeMembers() {
    JsonNode second = http.get("/api/v2/groups.json?per_page=1&page=2").json();
    assertThat(second.get("groups").get(0).get("name").asText()).isEqualTo("Office");
    assertThat(second.get("total_pages").asInt()).isEqualTo(2);
  }

  @Test
  void getReturnsOneGroup() {
    JsonNode g = http.get("/api/v2/groups/" + FIELD_CREW + ".json?associations=true").json().get("group");
    assertThat(g.get("name").asText()).isEqualTo("Field Crew");
    assertThat(g.get("member_ids").get(0).asText()).isEqualTo(MARCUS);
    assertThat(http.get("/api/v2/groups/" + FIELD_CREW + ".json").json().get("group").has("member_ids")).isFalse();
  }

  @Test
  void anUnknownGroupIs404() {
    Http.Resp r = http.get("/api/v2/groups/none.json");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void createIs201AndAddsTheTokenOwner() {
    Http.Resp r = http.post("/api/v2/groups.json", "{\"group\":{\"name\":\"Field Crew\",\"description\":\"from Okta\"}}");
    assertThat(r.status()).isEqualTo(201);
    String id = r.json().get("group").get("id").asText();
    assertThat(id).isNotEqualTo(FIELD_CREW).as("a second group may share a name");
    assertThat(fulcrum.group(id).orElseThrow().memberIds()).containsExactly(fulcrum.ownerMembershipId());
  }

  @Test
  void theOwnerAutoAddCanBeSwitchedOffAtBuildTime() {
    try (FulcrumEmulator quiet = FulcrumEmulator.builder().autoAddOwnerToCreatedGroups(false).build().start()) {
      String id = new Http(quiet).post("/api/v2/groups.json", "{\"group\":{\"name\":\"G\"}}").json().get("group").get("id").asText();
      assertThat(quiet.group(id).orElseThrow().memberIds()).isEmpty();
    }
  }

  @Test
  void theOwnerAutoAddCanBeSwitchedOffWhileRunning() {
    fulcrum.autoAddOwnerToCreatedGroups(false);
    String id = http.post("/api/v2/groups.json", "{\"group\":{\"name\":\"G\"}}").json().get("group").get("id").asText();
    assertThat(fulcrum.group(id).orElseThrow().memberIds()).isEmpty();
  }

  @Test
  void aGroupNeedsAName() {
    Http.Resp r = http.post("/api/v2/groups.json", "{\"group\":{\"description\":\"no name\"}}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).isEqualTo("{\"group\":{\"errors\":{\"name\":[\"can't be blank\"]}}}");
  }

  @Test
  void updateChangesNameAndDescription() {
    Http.Resp r = http.put("/api/v2/groups/" + FIELD_CREW + ".json", "{\"group\":{\"name\":\"Crew\"}}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("group").get("name").asText()).isEqualTo("Crew");
    assertThat(r.json().get("group").get("description").asText()).isEqualTo("Crew managed by hand in Fulcrum");
  }

  @Test
  void deleteIs204ThenTheGroupIsGone() {
    assertThat(http.delete("/api/v2/groups/" + FIELD_CREW + ".json", null).status()).isEqualTo(204);
    assertThat(http.get("/api/v2/groups/" + FIELD_CREW + ".json").status()).isEqualTo(404);
    assertThat(http.delete("/api/v2/groups/" + FIELD_CREW + ".json", null).status()).isEqualTo(404);
  }

  @Test
  void changePermissionsAddsAndRemovesInOneCall() {
    Http.Resp r = http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(PRIYA), quoted(MARCUS)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(fulcrum.group(FIELD_CREW).orElseThrow().memberIds()).contains(PRIYA).doesNotContain(MARCUS).hasSize(3);
    assertThat(r.json().get("group").get("member_ids")).hasSize(3);
  }

  @Test
  void oneUnknownIdFailsTheWholeChange() {
    String before = fulcrum.snapshotJson();
    Http.Resp r = http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(PRIYA, "ghost"), quoted(MARCUS)));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("change").get("errors").get("add").get(0).asText()).contains("ghost");
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }

  @Test
  void anUnknownIdInRemoveAlsoFailsTheWholeChange() {
    String before = fulcrum.snapshotJson();
    assertThat(http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(PRIYA), quoted("ghost"))).status()).isEqualTo(422);
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }

  @Test
  void changingAnUnknownGroupIs404() {
    assertThat(http.post("/api/v2/groups/change_permissions.json", change("nope", quoted(PRIYA), "")).status()).isEqualTo(404);
  }

  @Test
  void onlyGroupMembersChangesAreEmulated() {
    String body = "{\"change\":{\"type\":\"group_forms\",\"group_id\":\"" + FIELD_CREW + "\",\"add\":[\"f1\"]}}";
    assertThat(http.post("/api/v2/groups/change_permissions.json", body).status()).isEqualTo(422);
  }

  @Test
  void theOldRootKeyPermissionChangeIsRefused() {
    String body = "{\"permission_change\":{\"type\":\"group_members\",\"group_id\":\"" + FIELD_CREW + "\",\"add\":[\"" + PRIYA + "\"]}}";
    Http.Resp r = http.post("/api/v2/groups/change_permissions.json", body);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("errors").asText()).endsWith("change");
  }

  @Test
  void aMemberChangeCanBeAnsweredWithAnEmptyObjectAndStillBeMade() {
    fulcrum.memberChangesAnsweredEmpty(true);
    Http.Resp r = http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(PRIYA), quoted(MARCUS)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
    assertThat(fulcrum.group(FIELD_CREW).orElseThrow().memberIds()).contains(PRIYA).doesNotContain(MARCUS);
  }

  @Test
  void anIgnoredMemberChangeAnsweredWithAnEmptyObjectChangesNothing() {
    fulcrum.memberChangesIgnored(true);
    fulcrum.memberChangesAnsweredEmpty(true);
    String before = fulcrum.snapshotJson();
    Http.Resp r = http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(PRIYA), quoted(MARCUS)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }

  @Test
  void addingAPresentMemberChangesNothing() {
    String before = fulcrum.snapshotJson();
    assertThat(http.post("/api/v2/groups/change_permissions.json", change(FIELD_CREW, quoted(MARCUS), "")).status()).isEqualTo(200);
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }
}
