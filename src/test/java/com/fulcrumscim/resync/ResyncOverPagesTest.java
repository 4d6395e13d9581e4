package com.fulcrumscim.resync;

import static com.fulcrumscim.testing.PagedFulcrum.TAKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.testing.DesiredFixture;
import com.fulcrumscim.testing.PagedFulcrum;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resync's search for people who keep access Okta took away, when Fulcrum lists the organization
 * over several pages and one walk misses the member invited by hand with a deactivated user's email
 * ({@link PagedFulcrum}): the report names that person all the same.
 */
class ResyncOverPagesTest {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  Database db;
  HttpFulcrumClient client;

  @BeforeEach
  void open() {
    db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
    client = new HttpFulcrumClient(FulcrumSettings.of(server.url("/").toString(), "tok", 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(2), new SimpleMeterRegistry(), Clock.systemUTC(),
        Sleeper.REAL, FulcrumCallListener.NONE);
  }

  @AfterEach
  void close() {
    client.close();
    db.close();
  }

  @ParameterizedTest(name = "total_count given: {0}")
  @ValueSource(booleans = {true, false})
  void aDeactivatedUsersNamesakeAPagedListSkippedIsReportedAsKeepingAccess(boolean givesTotalCount) {
    PagedFulcrum fulcrum = PagedFulcrum.skippingTheNamesake(givesTotalCount);
    server.setDispatcher(fulcrum);
    DesiredFixture okta = new DesiredFixture(db, new WorkQueue(db, Clock.systemUTC()), Clock.systemUTC());
    okta.set(okta.user(TAKEN, "Taken", "ByHand", null), "active", 0);
    ReconcileSettings settings = new ReconcileSettings(false, null, false, Map.of(), "", false,
        Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));

    Resync resync = new Resync(client, db, settings, Clock.systemUTC(), Sleeper.REAL);
    ResyncReport report;
    try {
      report = resync.dryRun(Progress.NONE);
    } finally {
      resync.close();
    }

    assertThat(report.plan()).anySatisfy(d -> {
      assertThat(d.keepsAccess()).isTrue();
      assertThat(d.action()).contains("m-taken");
    });
    assertThat(fulcrum.listWalks()).as("the list read once more, once").isEqualTo(2);
  }
}
