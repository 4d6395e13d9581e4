package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.testing.PagedFulcrum;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reconciler paused on a read Fulcrum refused probes that read at each cycle (and every node of a
 * paused cluster checks its own token with it): it costs one call, not the organization's size.
 */
class PauseProbeTest {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  Database db;
  HttpFulcrumClient client;
  Reconciler reconciler;

  @BeforeEach
  void open() {
    db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
    client = new HttpFulcrumClient(FulcrumSettings.of(server.url("/").toString(), "tok", 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(2), new SimpleMeterRegistry(), Clock.systemUTC(),
        Sleeper.REAL, FulcrumCallListener.NONE);
    ReconcileSettings settings = new ReconcileSettings(false, null, false, Map.of(), "", false,
        Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
    reconciler = new Reconciler(client, db, new RemovalGuard(db, Clock.systemUTC(), 10, 20, Duration.ofHours(1)),
        settings, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    client.close();
    db.close();
  }

  @Test
  void aRefusedMemberListIsProbedWithOneCallHoweverManyPagesTheOrganizationTakes() {
    server.setDispatcher(PagedFulcrum.skippingTheNamesake(true));

    assertThat(reconciler.probe(Optional.of(FulcrumClient.MEMBERS_LIST))).isEmpty();

    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aMemberListStillRefusedKeepsThePause() {
    server.enqueue(new MockResponse.Builder().code(403).body("{\"error\":\"forbidden\"}").build());

    assertThat(reconciler.probe(Optional.of(FulcrumClient.MEMBERS_LIST)))
        .get().isInstanceOf(FulcrumException.Forbidden.class);
  }
}
