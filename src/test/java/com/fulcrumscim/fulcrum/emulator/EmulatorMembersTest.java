package com.fulcrumscim.fulcrum.emulator;

import static com.fulcrumscim.fulcrum.emulator.Http.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.fulcrum.FulcrumMember;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Memberships, item by item of shared/fulcrum-api.md decisions 2 to 6. */
class EmulatorMembersTest {
  static final String DUPLICATE = "{\"membership\":{\"errors\":{\"email\":[\"has already been taken\"]}}}";
  static final String STANDARD_USER = "51e060bea93448c788000283";
  static final String MANAGER = "51e060bea93448c788000282";

  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().seed(Seed.demo()).random(new Random(7)));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void theListCarriesTheEnvelope() {
    JsonNode body = http.get("/api/v2/memberships.json").json();
    assertThat(body.get("memberships")).hasSize(6);
    assertThat(body.get("current_page").asInt()).isEqualTo(1);
    assertThat(body.get("total_pages").asInt()).isEqualTo(1);
    assertThat(body.get("total_count").asInt()).isEqualTo(6);
    assertThat(body.get("per_page").asInt()).isEqualTo(20000);
  }

  @Test
  void perPageSplitsTheListIntoPages() {
    JsonNode first = http.get("/api/v2/memberships.json?page=1&per_page=4").json();
    JsonNode second = http.get("/api/v2/memberships.json?page=2&per_page=4").json();
    JsonNode beyond = http.get("/api/v2/memberships.json?page=3&per_page=4").json();
    assertThat(first.get("memberships")).hasSize(4);
    assertThat(second.get("memberships")).hasSize(2);
    assertThat(beyond.get("memberships")).isEmpty();
    assertThat(second.get("total_pages").asInt()).isEqualTo(2);
    assertThat(second.get("current_page").asInt()).isEqualTo(2);
    assertThat(first.get("memberships").get(0).get("id").asText()).isEqualTo(fulcrum.ownerMembershipId());
  }

  @Test
  void perPageAboveTwentyThousandIsCapped() {
    assertThat(http.get("/api/v2/memberships.json?per_page=50000").json().get("per_page").asInt()).isEqualTo(20000);
  }

  @Test
  void userIdsLeftOutAnswersMembershipsWithoutTheirAccountIds() {
    fulcrum.userIdsLeftOut(true);
    JsonNode listed = http.get("/api/v2/memberships.json").json().get("memberships");
    JsonNode byId = http.get("/api/v2/memberships/" + fulcrum.ownerMembershipId() + ".json").json().get("membership");
    assertThat(listed.findValues("user_id")).isEmpty();
    assertThat(byId.has("user_id")).isFalse();
    assertThat(http.get("/api/v2/users.json").json().get("user").get("id").asText()).as("the token's user keeps its id")
        .isEqualTo(fulcrum.member(fulcrum.ownerMembershipId()).orElseThrow().userId());
  }

  @Test
  void managedInfoAddsTheManagedFlag() {
    JsonNode plain = http.get("/api/v2/memberships.json").json().get("memberships");
    JsonNode withInfo = http.get("/api/v2/memberships.json?managed_info=1").json().get("memberships");
    assertThat(plain.get(0).has("managed")).isFalse();
    assertThat(withInfo.findValues("managed")).hasSize(6);
    JsonNode sam = http.get("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c04.json?managed_info=1").json().get("membership");
    assertThat(sam.get("managed").asBoolean()).isTrue();
  }

  @Test
  void getReturnsOneMemberInItsEnvelope() {
    JsonNode priya = http.get("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c01.json").json().get("membership");
    assertThat(priya.get("email").asText()).isEqualTo("priya.natarajan@example.com");
    assertThat(priya.get("role_name").asText()).isEqualTo("Manager");
    assertThat(priya.get("user").asText()).isEqualTo("Priya Natarajan");
    assertThat(priya.get("user_id").asText()).isEqualTo("5f1a0c3e9b2d4e6f8a7b9d01");
  }

  @Test
  void anUnknownMemberIs404WithAnEmptyObject() {
    Http.Resp r = http.get("/api/v2/memberships/nope.json");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void createIs201WithTheDefaultRoleWhenNoneIsGiven() {
    Http.Resp r = http.post("/api/v2/memberships.json", member("new@example.com", "New", "Person"));
    assertThat(r.status()).isEqualTo(201);
    JsonNode m = r.json().get("membership");
    assertThat(m.get("role_id").asText()).isEqualTo(STANDARD_USER);
    assertThat(m.get("managed").asBoolean()).isFalse();
    assertThat(fulcrum.member(m.get("id").asText())).map(FulcrumMember::email).hasValue("new@example.com");
  }

  @Test
  void createTakesARoleId() {
    String body = "{\"membership\":{\"email\":\"boss@example.com\",\"role_id\":\"" + MANAGER + "\"}}";
    assertThat(http.post("/api/v2/memberships.json", body).json().get("membership").get("role_name").asText()).isEqualTo("Manager");
  }

  @Test
  void anUnknownRoleIs422() {
    Http.Resp r = http.post("/api/v2/memberships.json", "{\"membership\":{\"email\":\"x@example.com\",\"role_id\":\"no-such\"}}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).isEqualTo("{\"membership\":{\"errors\":{\"role_id\":[\"is invalid\"]}}}");
  }

  @Test
  void aDuplicateEmailInAnyCaseIs422() {
    Http.Resp r = http.post("/api/v2/memberships.json", member("PRIYA.natarajan@EXAMPLE.com", "P", "N"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).isEqualTo(DUPLICATE);
    assertThat(fulcrum.members()).hasSize(6);
  }

  @Test
  void aMissingEmailIs422() {
    Http.Resp r = http.post("/api/v2/memberships.json", "{\"membership\":{\"first_name\":\"Nobody\"}}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).isEqualTo("{\"membership\":{\"errors\":{\"email\":[\"can't be blank\"]}}}");
  }

  @Test
  void updateChangesOnlyTheFieldsSent() {
    Http.Resp r = http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"last_name\":\"Ivanova\",\"role_id\":\"" + MANAGER + "\"}}");
    assertThat(r.status()).isEqualTo(200);
    FulcrumMember elena = fulcrum.member("5f1a0c3e9b2d4e6f8a7b9c03").orElseThrow();
    assertThat(elena.lastName()).isEqualTo("Ivanova");
    assertThat(elena.firstName()).isEqualTo("Elena");
    assertThat(elena.roleName()).isEqualTo("Manager");
  }

  @Test
  void updateToAnotherMembersEmailIs422() {
    Http.Resp r = http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"email\":\"Marcus.Webb@example.com\"}}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.body()).isEqualTo(DUPLICATE);
  }

  @Test
  void updateMayChangeTheCaseOfTheMembersOwnEmail() {
    Http.Resp r = http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"email\":\"ELENA.petrova@example.com\"}}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(fulcrum.memberByEmail("elena.petrova@example.com")).map(FulcrumMember::email).hasValue("ELENA.petrova@example.com");
  }

  @Test
  void aChangedEmailFreesTheOldOne() {
    http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"email\":\"elena@example.com\"}}");
    assertThat(http.post("/api/v2/memberships.json", member("elena.petrova@example.com", "E", "P")).status()).isEqualTo(201);
  }

  @Test
  void deleteIs204AndTakesTheMemberOutOfEveryGroup() {
    Http.Resp r = http.delete("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"reassign_to_membership_id\":null}}");
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(fulcrum.member("5f1a0c3e9b2d4e6f8a7b9c03")).isEmpty();
    assertThat(fulcrum.group("5f1a0c3e9b2d4e6f8a7b9e01").orElseThrow().memberIds())
        .containsExactly("0b6f4f0e-6a3c-4d7e-9a51-3f2c8e1d7a02", "9c2e7d41-1b8a-4f36-a0d5-7e6b3c9f1a05");
    assertThat(http.post("/api/v2/memberships.json", member("elena.petrova@example.com", "E", "P")).status()).isEqualTo(201);
  }

  @Test
  void deletingAnUnknownMemberIs404WithAnEmptyObject() {
    Http.Resp r = http.delete("/api/v2/memberships/gone.json", "{\"membership\":{\"reassign_to_membership_id\":null}}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void reassigningToAnUnknownMemberIs422AndRemovesNobody() {
    Http.Resp r = http.delete("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c03.json", "{\"membership\":{\"reassign_to_membership_id\":\"ghost\"}}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(fulcrum.member("5f1a0c3e9b2d4e6f8a7b9c03")).isPresent();
  }

  @Test
  void deletingTheTokenOwnerDeletesItsTokenToo() {
    assertThat(http.delete("/api/v2/memberships/" + fulcrum.ownerMembershipId() + ".json", "{\"membership\":{\"reassign_to_membership_id\":null}}").status()).isEqualTo(204);
    assertThat(http.get("/api/v2/memberships.json").status()).isEqualTo(401);
  }

  @Test
  void aBodyWithoutItsRootKeyIs422WithAPlainStringError() {
    Http.Resp r = http.post("/api/v2/memberships.json", "{\"email\":\"x@example.com\"}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("errors").asText()).isEqualTo("param is missing or the value is empty: membership");
  }

  @Test
  void invalidJsonIs422() {
    Http.Resp r = http.post("/api/v2/memberships.json", "{\"membership\":");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("errors").asText()).startsWith("the body is not valid JSON");
  }

  @Test
  void aBodyWithoutJsonContentTypeIs422() {
    Http.Resp r =
        http.send(
            http.request("POST", "/api/v2/memberships.json", null)
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(member("t@example.com", "T", "P"))));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("errors").asText()).isEqualTo("Content-Type must be application/json");
  }

  @Test
  void concurrentCreatesOfOneEmailLetExactlyOneThrough() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
      for (int i = 0; i < 16; i++) {
        String email = i % 2 == 0 ? "race@example.com" : "RACE@example.com";
        futures.add(pool.submit(() -> http.post("/api/v2/memberships.json", member(email, "R", "C")).status()));
      }
      var statuses = new java.util.ArrayList<Integer>();
      for (var f : futures) {
        statuses.add(f.get());
      }
      assertThat(statuses).containsOnly(201, 422).filteredOn(s -> s == 201).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
