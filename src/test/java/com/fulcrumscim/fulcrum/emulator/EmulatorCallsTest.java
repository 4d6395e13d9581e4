package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.fulcrum.emulator.CallCounter.CallCount;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Decision 11: every call counted, by endpoint (ids normalised) and status. */
class EmulatorCallsTest {
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().seed(Seed.demo()));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void callsAreCountedByEndpointWithIdsNormalised() {
    http.get("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c01.json");
    http.get("/api/v2/memberships/0b6f4f0e-6a3c-4d7e-9a51-3f2c8e1d7a02.json");
    http.get("/api/v2/memberships/missing.json");
    assertThat(fulcrum.calls().count("GET /api/v2/memberships/{id}.json", 200)).isEqualTo(2);
    assertThat(fulcrum.calls().count("GET /api/v2/memberships/{id}.json", 404)).isEqualTo(1);
    assertThat(fulcrum.calls().count("GET /api/v2/memberships/{id}.json")).isEqualTo(3);
    assertThat(fulcrum.calls().total()).isEqualTo(3);
  }

  @Test
  void refusedAndFaultedCallsCountToo() {
    fulcrum.faults().revokeToken();
    http.get("/api/v2/roles.json");
    fulcrum.faults().restoreToken().rateLimitBurst(1, java.time.Duration.ofSeconds(1));
    http.get("/api/v2/roles.json");
    assertThat(fulcrum.calls().all())
        .containsExactly(new CallCount("GET /api/v2/roles.json", 401, 1), new CallCount("GET /api/v2/roles.json", 429, 1));
  }

  @Test
  void adminCallsAreNotCounted() {
    http.send(admin("GET", "/_emulator/state"));
    assertThat(fulcrum.calls().total()).isZero();
  }

  @Test
  void theCountIsReadableAndResettableOverHttp() {
    http.post("/api/v2/groups/change_permissions.json", Http.change("5f1a0c3e9b2d4e6f8a7b9e01", "", ""));
    JsonNode calls = http.send(admin("GET", "/_emulator/calls")).json();
    assertThat(calls.get("total").asLong()).isEqualTo(1);
    assertThat(calls.get("calls").get(0).get("endpoint").asText()).isEqualTo("POST /api/v2/groups/change_permissions.json");
    assertThat(calls.get("calls").get(0).get("status").asInt()).isEqualTo(200);
    assertThat(http.send(admin("POST", "/_emulator/reset-calls")).status()).isEqualTo(204);
    assertThat(fulcrum.calls().total()).isZero();
  }

  private HttpRequest.Builder admin(String method, String path) {
    return HttpRequest.newBuilder(URI.create(fulcrum.baseUrl() + path)).method(method, HttpRequest.BodyPublishers.noBody());
  }
}
