package com.fulcrumscim.fulcrum.emulator;

import static com.fulcrumscim.fulcrum.emulator.Http.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.SettableClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Decision 12: every fault kind, and that an injected failure changes nothing. */
class EmulatorFaultsTest {

  /** Every key POST /_emulator/faults takes is one the README's emulator section names. */
  @Test
  void theReadmeNamesEveryFaultKeyTheEmulatorTakes() throws IOException {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
    for (var component : FaultSettings.class.getRecordComponents()) {
      String key = component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      assertThat(readme).as(key).contains("`" + key + "`");
    }
  }
  final SettableClock clock = new SettableClock();
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().clock(clock).random(new Random(42)));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void anInjectedServerErrorAppliesNothing() {
    fulcrum.faults().errorShare(1.0);
    String before = fulcrum.snapshotJson();
    int status = http.post("/api/v2/memberships.json", member("a@example.com", "A", "B")).status();
    assertThat(status).isIn(500, 502, 503);
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }

  @Test
  void serverErrorsAreAShareAndReproducibleFromTheSeed() {
    List<Integer> first = statuses(new Random(3));
    assertThat(first).isEqualTo(statuses(new Random(3)));
    assertThat(first).contains(200).containsAnyOf(500, 502, 503);
  }

  private List<Integer> statuses(Random random) {
    try (FulcrumEmulator f = FulcrumEmulator.builder().random(random).faults(FaultSettings.none().withErrorShare(0.5)).build().start()) {
      Http h = new Http(f);
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        out.add(h.get("/api/v2/roles.json").status());
      }
      return out;
    }
  }

  @Test
  void aDroppedConnectionIsAnIOExceptionAndAppliesNothing() {
    fulcrum.faults().dropShare(1.0);
    assertThatThrownBy(() -> http.sendOrThrow(http.request("POST", "/api/v2/memberships.json", member("d@example.com", "D", "E"))))
        .isInstanceOf(IOException.class);
    fulcrum.faults().clear();
    assertThat(fulcrum.memberByEmail("d@example.com")).isEmpty();
    assertThat(fulcrum.calls().count("POST /api/v2/memberships.json", CallCounter.DROPPED)).isPositive();
  }

  @Test
  void aLostResponseIsAnIOExceptionButTheChangeHappened() {
    fulcrum.faults().lostResponseShare(1.0);
    assertThatThrownBy(() -> http.sendOrThrow(http.request("POST", "/api/v2/memberships.json", member("l@example.com", "L", "R"))))
        .isInstanceOf(IOException.class);
    assertThat(fulcrum.memberByEmail("l@example.com")).isPresent();
  }

  @Test
  void aBurstOf429sOnOneEndpointLeavesTheOthersAlone() {
    fulcrum.faults().rateLimitBurstOn("GET /api/v2/users.json", 1);
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
    assertThat(http.get("/api/v2/users.json").status()).isEqualTo(429);
    assertThat(http.get("/api/v2/users.json").status()).isEqualTo(200);
  }

  @Test
  void aBurstOf429sEndsAfterItsCalls() {
    fulcrum.faults().rateLimitBurst(2, Duration.ofSeconds(7));
    Http.Resp first = http.get("/api/v2/roles.json");
    assertThat(first.status()).isEqualTo(429);
    assertThat(first.header("Retry-After")).isEqualTo("7");
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(429);
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
  }

  @Test
  void anOutageAnswers503UntilItsDeadline() {
    fulcrum.faults().outage(Duration.ofMinutes(5), OutageMode.UNAVAILABLE);
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(503);
    clock.tick(Duration.ofMinutes(4));
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(503);
    clock.tick(Duration.ofMinutes(1));
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
  }

  @Test
  void aDroppingOutageClosesEveryConnection() {
    fulcrum.faults().outage(Duration.ofMinutes(5), OutageMode.DROP);
    assertThatThrownBy(() -> http.sendOrThrow(http.request("GET", "/api/v2/roles.json", null))).isInstanceOf(IOException.class);
    clock.tick(Duration.ofMinutes(5));
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
  }

  @Test
  void latencyDelaysEveryCall() {
    fulcrum.faults().latency(Duration.ofMillis(150));
    long start = System.nanoTime();
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
    // A lower bound only: the sleep guarantees it, however slow the machine.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  /** Whether a client's calls overlapped is seen where they arrive: the most of one endpoint handled at once. */
  @Test
  void callsThatArriveWhileOthersAreDelayedCountAsInFlightTogether() throws Exception {
    fulcrum.faults().latency(Duration.ofMillis(300));
    http.get("/api/v2/roles.json");
    assertThat(fulcrum.calls().mostInFlight("GET /api/v2/roles.json")).isEqualTo(1);

    List<Thread> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(new Thread(() -> http.get("/api/v2/roles.json")));
    }
    three.forEach(Thread::start);
    for (Thread t : three) {
      t.join();
    }
    assertThat(fulcrum.calls().mostInFlight("GET /api/v2/roles.json")).isEqualTo(3);
    fulcrum.calls().reset();
    assertThat(fulcrum.calls().mostInFlight("GET /api/v2/roles.json")).isZero();
  }

  @Test
  void anIgnoredDeleteIsAnswered204AndRemovesNothing() {
    String id = created("i@example.com");
    fulcrum.faults().deletesIgnored(true);
    assertThat(http.delete("/api/v2/memberships/" + id + ".json", null).status()).isEqualTo(204);
    assertThat(fulcrum.member(id)).isPresent();
    assertThat(http.get("/api/v2/memberships/" + id + ".json").status()).as("reads are Fulcrum's as ever").isEqualTo(200);
  }

  @Test
  void aDeleteFaultOfOneMemberLeavesTheOtherMembersDeletesAlone() {
    String ignored = created("x@example.com");
    String other = created("y@example.com");
    fulcrum.deleteFault(ignored, DeleteFault.IGNORED);
    assertThat(http.delete("/api/v2/memberships/" + ignored + ".json", null).status()).isEqualTo(204);
    assertThat(http.delete("/api/v2/memberships/" + other + ".json", null).status()).isEqualTo(204);
    assertThat(fulcrum.member(ignored)).isPresent();
    assertThat(fulcrum.member(other)).isEmpty();
    fulcrum.deleteFault(ignored, null);
    assertThat(http.delete("/api/v2/memberships/" + ignored + ".json", null).status()).isEqualTo(204);
    assertThat(fulcrum.member(ignored)).isEmpty();
  }

  @Test
  void aDeleteWhoseAnswerIsLostRemovesTheMemberAndClosesTheConnectionAtEveryTry() {
    String id = created("l@example.com");
    fulcrum.deleteFault(id, DeleteFault.ANSWER_LOST);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> http.sendOrThrow(http.request("DELETE", "/api/v2/memberships/" + id + ".json", null)))
          .isInstanceOf(IOException.class);
      assertThat(fulcrum.member(id)).isEmpty();
    }
  }

  @Test
  void aMemberInvitedAgainByHandOnItsDeleteComesBackAsANewMemberWithItsEmail() {
    String id = created("r@example.com");
    fulcrum.deleteFault(id, DeleteFault.INVITED_AGAIN);
    assertThat(http.delete("/api/v2/memberships/" + id + ".json", null).status()).isEqualTo(204);
    assertThat(fulcrum.member(id)).isEmpty();
    assertThat(fulcrum.memberByEmail("r@example.com")).hasValueSatisfying(m -> assertThat(m.id()).isNotEqualTo(id));
  }

  @Test
  void aMemberUnknownByIdIsFulcrums404ToItsDeleteAndItsReadWhileTheListShowsIt() {
    String id = created("u@example.com");
    fulcrum.deleteFault(id, DeleteFault.UNKNOWN_BY_ID);
    Http.Resp deleted = http.delete("/api/v2/memberships/" + id + ".json", null);
    assertThat(deleted.status()).isEqualTo(404);
    assertThat(deleted.body()).isEqualTo("{}");
    Http.Resp read = http.get("/api/v2/memberships/" + id + ".json");
    assertThat(read.status()).isEqualTo(404);
    assertThat(read.body()).isEqualTo("{}");
    assertThat(fulcrum.member(id)).isPresent();
    assertThat(http.get("/api/v2/memberships.json").body()).contains(id);
    fulcrum.deleteFault(id, null);
    assertThat(http.get("/api/v2/memberships/" + id + ".json").status()).isEqualTo(200);
  }

  @Test
  void aDeleteAnsweredByAProxyIsAnHtml404AndRemovesNothing() {
    String id = created("p@example.com");
    http.send(admin("POST", "/_emulator/faults", "{\"deletes_answered_by_proxy\":true}"));
    Http.Resp r = http.delete("/api/v2/memberships/" + id + ".json", null);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("Content-Type")).startsWith("text/html");
    assertThat(r.body()).startsWith("<html>");
    assertThat(fulcrum.member(id)).isPresent();
    assertThat(fulcrum.faults().settings().deletesAnsweredByProxy()).isTrue();
    fulcrum.faults().clear();
    assertThat(http.delete("/api/v2/memberships/" + id + ".json", null).status()).isEqualTo(204);
    assertThat(fulcrum.member(id)).isEmpty();
  }

  @Test
  void faultsAreSetAndReadOverTheAdminEndpoint() {
    Http.Resp set =
        http.send(admin("POST", "/_emulator/faults", "{\"error_share\":0.25,\"rate_limit_burst\":4,\"outage_seconds\":60,\"outage_mode\":\"drop\"}"));
    assertThat(set.status()).isEqualTo(200);
    FaultSettings s = fulcrum.faults().settings();
    assertThat(s.errorShare()).isEqualTo(0.25);
    assertThat(s.rateLimitBurst()).isEqualTo(4);
    assertThat(s.outageSeconds()).isEqualTo(60);
    assertThat(s.outageMode()).isEqualTo(OutageMode.DROP);
    assertThat(http.send(admin("GET", "/_emulator/faults", null)).json().get("error_share").asDouble()).isEqualTo(0.25);
    http.send(admin("DELETE", "/_emulator/faults", null));
    assertThat(fulcrum.faults().settings().errorShare()).isZero();
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(200);
  }

  @Test
  void anUnknownFaultIs400() {
    Http.Resp r = http.send(admin("POST", "/_emulator/faults", "{\"error_rate\":0.5}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).contains("error_rate");
  }

  @Test
  void aShareAboveOneIs400() {
    assertThat(http.send(admin("POST", "/_emulator/faults", "{\"drop_share\":1.5}")).status()).isEqualTo(400);
  }

  @Test
  void theTokenCanBeRevokedOverTheAdminEndpoint() {
    http.send(admin("POST", "/_emulator/faults", "{\"token_revoked\":true}"));
    assertThat(http.get("/api/v2/roles.json").status()).isEqualTo(401);
  }

  private String created(String email) {
    return http.post("/api/v2/memberships.json", member(email, "A", "B")).json().path("membership").path("id").asText();
  }

  private HttpRequest.Builder admin(String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create(fulcrum.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
  }
}
