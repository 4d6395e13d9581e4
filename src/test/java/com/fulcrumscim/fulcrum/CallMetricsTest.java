package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;

/** Calls counted by endpoint (ids as {id}) and status, latency, budget left, and the listener. */
class CallMetricsTest extends MockFulcrumTest {
  @Test
  void callsAreCountedByEndpointTemplateAndStatus() {
    server.enqueue(status(204));
    server.enqueue(status(404));
    fx.client.deleteMember("m-123", null);
    fx.client.deleteMember("m-456", null);
    String scrape = fx.registry.scrape();
    assertThat(scrape)
        .contains("fulcrum_scim_fulcrum_calls_total{endpoint=\"DELETE /api/v2/memberships/{id}.json\",status=\"204\"} 1.0")
        .contains("fulcrum_scim_fulcrum_calls_total{endpoint=\"DELETE /api/v2/memberships/{id}.json\",status=\"404\"} 1.0")
        .contains("fulcrum_scim_fulcrum_call_duration_seconds_count{endpoint=\"DELETE /api/v2/memberships/{id}.json\"} 2")
        .doesNotContain("m-123");
  }

  @Test
  void theBudgetLeftAndCallsInTheLastHourAreGauges() {
    server.enqueue(json(200, "{\"roles\":[]}"));
    fx.client.roles();
    assertThat(fx.client.callsInLastHour()).isEqualTo(1);
    assertThat(fx.client.budgetLeft()).isEqualTo(3_599_999);
    assertThat(fx.registry.get("fulcrum.scim.fulcrum.rate.budget.left").gauge().value()).isEqualTo(3_599_999);
    assertThat(fx.registry.get("fulcrum.scim.fulcrum.calls.last.hour").gauge().value()).isEqualTo(1);
    assertThat(fx.registry.get("fulcrum.scim.fulcrum.circuit.open").gauge().value()).isZero();
  }

  @Test
  void theListenerHearsEveryAttempt() {
    server.enqueue(status(502));
    server.enqueue(json(200, "{\"groups\":[]}"));
    server.enqueue(json(401, "{}"));
    fx.client.groups();
    catchThrowable(() -> fx.client.group("g-1"));
    assertThat(fx.calls).containsExactly(
        new ClientFixture.Call("GET /api/v2/groups.json", "502"),
        new ClientFixture.Call("GET /api/v2/groups.json", "200"),
        new ClientFixture.Call("GET /api/v2/groups/{id}.json", "401"));
  }

  @Test
  void callsRefusedLocallyAreNotCounted() {
    server.enqueue(status(429));
    catchThrowable(fx.client::roles);
    catchThrowable(fx.client::roles);
    assertThat(fx.calls).hasSize(1);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
