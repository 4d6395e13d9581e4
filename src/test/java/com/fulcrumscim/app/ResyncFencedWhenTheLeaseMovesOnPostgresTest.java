package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One writer: an operator resync applying its fixes one slow Fulcrum call after another, on a node
 * whose writer lease another node takes meanwhile, sends no further write once it has stepped down
 * (each write passes the fence as it is sent, not only the run's start).
 */
@RequiresPostgres
class ResyncFencedWhenTheLeaseMovesOnPostgresTest {
  static final int DRIFTED = 30;
  static final Duration LATENCY = Duration.ofSeconds(1);
  final TestStore store = TestStore.freshPostgres();
  final FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
  ScimTestServer node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    fulcrum.close();
  }

  @Test
  void aResyncStopsWritingOnceItsNodeLostTheLease() throws Exception {
    node = ScimTestServer.start(store, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\nha:\n  lease_ttl: 3s\n", Clock.systemUTC(), Bridge.Mode.FULL);
    ScimHttp ops = new ScimHttp(node.rootUrl(), "");
    StopCutShortTest.leadsWithin(node, Duration.ofSeconds(10));
    ScimOkta okta = new ScimOkta(node.http());
    for (int i = 0; i < DRIFTED; i++) {
      okta.user("p" + i + "@corp.example", "P" + i, "Person", null);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("p" + (DRIFTED - 1) + "@corp.example").isPresent()
        && fulcrum.members().stream().filter(m -> m.email().endsWith("@corp.example")).count() == DRIFTED);
    // someone renames them in Fulcrum behind the bridge: the resync puts each name back, one write each
    try (HttpFulcrumClient someone = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(),
        3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), d -> {},
        FulcrumCallListener.NONE)) {
      for (int i = 0; i < DRIFTED; i++) {
        someone.updateMember(fulcrum.memberByEmail("p" + i + "@corp.example").orElseThrow().id(),
            new MemberFields(null, "Renamed", null, null));
      }
    }
    fulcrum.faults().latency(LATENCY);
    long before = writes(fulcrum.calls());

    try (Database db = Database.open(store.location())) {
      new RequestStore(db, Clock.systemUTC()).submit(OperatorRequest.Kind.RESYNC, null, false);
      await().atMost(Duration.ofSeconds(30)).until(() -> writes(fulcrum.calls()) > before);
      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET holder = 'the other node', "
          + "acquired_at = " + now + ", expires_at = " + (now + 60_000)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !ops.get("/healthz").json().path("leader").asBoolean());
    // the counts are taken as Fulcrum answers: writes sent before the step-down land within the latency
    Thread.sleep(LATENCY.multipliedBy(3).toMillis());
    long landed = writes(fulcrum.calls());
    assertThat(landed).as("the resync was still applying when the lease moved").isLessThan(before + DRIFTED);

    Thread.sleep(3_000);

    assertThat(writes(fulcrum.calls())).as("writes sent after the step-down").isEqualTo(landed);
  }

  /** Every call but a read that Fulcrum answered so far. */
  static long writes(CallCounter calls) {
    return calls.all().stream().filter(c -> !c.endpoint().startsWith("GET ")).mapToLong(CallCounter.CallCount::count).sum();
  }
}
