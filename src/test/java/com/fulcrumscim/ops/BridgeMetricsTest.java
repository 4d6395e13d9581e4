package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.SettableClock;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeMetricsTest {
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  Database db;
  BridgeMetrics metrics;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("m.db"));
    metrics = new BridgeMetrics(registry, new OpsStore(db), clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void heldRemovalsAreTheGaugeTheShippedAlertRuleWatches() throws Exception {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u-gone"));
    queue.hold(queue.claim(1).get(0), "21 removals in the last 1h");
    String series = "fulcrum_scim_work{state=\"held\"}";
    assertThat(registry.scrape()).contains(series + " 1.0");
    assertThat(java.nio.file.Files.readString(Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: " + series + " > 0");
  }

  @Test
  void fulcrumsCoolDownIsAGaugeOfTheSecondsLeftZeroWhenNone() {
    FulcrumCallLog calls = new FulcrumCallLog(db, DatabaseClock.local(clock), 100);
    metrics.fulcrumCoolDown(calls);
    String series = "fulcrum_scim_fulcrum_cool_down_seconds";
    assertThat(registry.scrape()).contains(series + " 0.0");

    calls.rateLimited("GET /api/v2/users.json", Duration.ofSeconds(90));
    clock.tick(Duration.ofSeconds(30));
    assertThat(registry.scrape()).contains(series + " 60.0");

    clock.tick(Duration.ofSeconds(60));
    assertThat(registry.scrape()).contains(series + " 0.0");
  }

  @Test
  void orphanRemovalsAResyncHeldAreTheGaugeTheShippedAlertRuleWatches() throws Exception {
    new SettingStore(db).put(Resync.HELD_ORPHANS, "3");
    String series = "fulcrum_scim_resync_orphan_removals_held";
    assertThat(registry.scrape()).contains(series + " 3.0");
    assertThat(java.nio.file.Files.readString(Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: " + series + " > 0");
  }

  /** A dead deprovisioning leaves a person their access: its own gauge, apart from other dead rows, for a critical alert. */
  @Test
  void deadDeprovisioningsAreTheGaugeTheShippedAlertRuleWatchesApartFromOtherDeadRows() throws Exception {
    WorkQueue queue = new WorkQueue(db, clock);
    db.write(c -> {
      queue.enqueue(c, ResourceKey.user("u-leaver"), true);
      queue.enqueue(c, ResourceKey.user("u-joiner"), false);
      return null;
    });
    queue.claim(2).forEach(w -> queue.dead(w, "gave up"));
    String series = "fulcrum_scim_work_dead_removals";
    assertThat(registry.scrape()).contains(series + " 1.0").contains("fulcrum_scim_work{state=\"dead\"} 2.0");
    assertThat(java.nio.file.Files.readString(Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: " + series + " > 0");
  }

  @Test
  void peopleTheLastResyncFoundKeepingAccessAreTheGaugeTheShippedAlertRuleWatches() throws Exception {
    new SettingStore(db).put(Resync.KEEPS_ACCESS, "2");
    String series = "fulcrum_scim_resync_keeps_access";
    assertThat(registry.scrape()).contains(series + " 2.0");
    assertThat(java.nio.file.Files.readString(Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: " + series + " > 0");
  }

  /** A deactivation a restore could not carry leaves a person their access: 1 until `restore acknowledge`. */
  @Test
  void anIncompleteRestoreCarryIsTheGaugeTheShippedAlertRuleWatchesUntilAcknowledged() throws Exception {
    String series = "fulcrum_scim_restore_carry_incomplete";
    assertThat(registry.scrape()).contains(series + " 0.0");

    IncompleteCarry.recordNothing(db, clock.instant(), "nothing was carried: no replaced database was named");
    assertThat(registry.scrape()).contains(series + " 1.0");
    assertThat(java.nio.file.Files.readString(Path.of("etc/fulcrum-scim-alerts.yml")))
        .contains("expr: " + series + " == 1");

    IncompleteCarry.acknowledge(db);
    assertThat(registry.scrape()).contains(series + " 0.0");
  }

  /** A 404 to a write, from intake, means an id the bridge does not have; a read's 404 or another refusal does not. */
  @Test
  void scimWritesToUnknownIdsAreCountedFromZero() {
    assertThat(registry.scrape()).contains("fulcrum_scim_unknown_id_writes_total{op=\"other\"} 0.0")
        .contains("fulcrum_scim_unknown_id_writes_total{op=\"deactivate_user\"} 0.0")
        .contains("fulcrum_scim_unknown_id_writes_total{op=\"delete_user\"} 0.0");
    for (String method : new String[] {"PATCH", "PUT", "DELETE"}) {
      metrics.scimRequest(method, "/scim/v2/Users/{id}", 404, Duration.ofMillis(3), Optional.empty());
    }
    metrics.scimRequest("PATCH", "/scim/v2/Groups/{id}", 404, Duration.ofMillis(3), Optional.empty());
    metrics.scimRequest("GET", "/scim/v2/Users/{id}", 404, Duration.ofMillis(3), Optional.empty());
    metrics.scimRequest("PATCH", "/scim/v2/Users/{id}", 400, Duration.ofMillis(3), Optional.empty());
    metrics.scimRequest("POST", "/scim/v2/Users", 404, Duration.ofMillis(3), Optional.empty());
    assertThat(registry.scrape()).contains("fulcrum_scim_unknown_id_writes_total{op=\"other\"} 4.0");
  }

  @Test
  void oldestPendingAgeCountsFromWhenTheChangeWasQueued() {
    new WorkQueue(db, clock).enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(90));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 90");
  }

  @Test
  void aRetryingRowAgesFromWhenItsChangeWasQueuedNotItsLastAttempt() {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(10));
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(50), "503 from Fulcrum", true);
    clock.tick(Duration.ofSeconds(50));
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(60), "503 from Fulcrum", true);
    clock.tick(Duration.ofSeconds(30));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 90");
  }

  @Test
  void aRowFulcrumKeepsRateLimitingAgesThoughItSpendsNoAttempt() {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u1"));
    for (int i = 0; i < 3; i++) {
      clock.tick(Duration.ofSeconds(600));
      queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(1), "429 from Fulcrum", false);
    }
    clock.tick(Duration.ofSeconds(1));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 1801");
  }

  @Test
  void aNewerChangeToAWaitingRowDoesNotMakeItYounger() {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(60));
    queue.enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(5));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 65");
  }

  @Test
  void aChangeToASkippedRowAgesFromItsOwnArrival() {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("owner"));
    queue.record(queue.claim(1).get(0), new WorkQueue.Fate.Skipped("the API token's owner"), java.util.List.of());
    clock.tick(Duration.ofHours(5));
    queue.enqueue(ResourceKey.user("owner"));
    clock.tick(Duration.ofSeconds(7));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 7");
  }

  @Test
  void applyOutcomesAreCountedByKind() {
    metrics.applyOutcome("applied");
    metrics.applyOutcome("applied");
    metrics.applyOutcome("retry");
    assertThat(registry.scrape())
        .contains("fulcrum_scim_reconcile_outcomes_total{kind=\"applied\"} 2")
        .contains("fulcrum_scim_reconcile_outcomes_total{kind=\"retry\"} 1");
  }

  @Test
  void lostClaimsAreCountedFromZero() {
    assertThat(registry.scrape()).contains("fulcrum_scim_reconcile_claims_lost_total 0.0");
    metrics.claimLost();
    assertThat(registry.scrape()).contains("fulcrum_scim_reconcile_claims_lost_total 1.0");
  }

  /** Serves {@code status} (after {@code sleepMs}) on /scim/v2/Users/{id} with the daemon's timing handlers; GETs each id. */
  void serveScim(int status, long sleepMs, String... ids) throws Exception {
    Javalin app = Javalin.create(cfg -> {
      cfg.routes.before("/scim/*", metrics::startScimRequest);
      cfg.routes.get("/scim/v2/Users/{id}", ctx -> {
        Thread.sleep(sleepMs);
        ctx.status(status);
      });
      cfg.routes.after("/scim/*", metrics::recordScimRequest);
    }).start("127.0.0.1", 0);
    try {
      HttpClient http = HttpClient.newHttpClient();
      for (String id : ids) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/scim/v2/Users/" + id)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    } finally {
      app.stop();
    }
  }

  @Test
  void scimRequestsAreCountedByRouteTemplateAndStatus() throws Exception {
    serveScim(404, 0, "a", "b");
    assertThat(registry.scrape())
        .contains("fulcrum_scim_requests_seconds_count{method=\"GET\",route=\"/scim/v2/Users/{id}\",status=\"404\"} 2")
        .doesNotContain("Users/a");
  }

  @Test
  void scimRequestLatencyFallsIntoHistogramBuckets() {
    metrics.scimRequest("GET", "/scim/v2/Users/{id}", 200, Duration.ofMillis(60), Optional.empty());
    String route = "method=\"GET\",route=\"/scim/v2/Users/{id}\",status=\"200\"";
    assertThat(registry.scrape())
        .contains("fulcrum_scim_requests_seconds_bucket{" + route + ",le=\"0.05\"} 0")
        .contains("fulcrum_scim_requests_seconds_bucket{" + route + ",le=\"0.1\"} 1");
  }

  @Test
  void aRequestsLatencyIncludesItsHandlersTime() throws Exception {
    // a lower bound only: how much longer a loaded machine takes is not this test's business
    serveScim(200, 60, "slow");
    String route = "method=\"GET\",route=\"/scim/v2/Users/{id}\",status=\"200\"";
    assertThat(registry.scrape())
        .contains("fulcrum_scim_requests_seconds_bucket{" + route + ",le=\"0.05\"} 0")
        .contains("fulcrum_scim_requests_seconds_count{" + route + "} 1");
  }

  @Test
  void acknowledgedToAppliedLatencyIsAHistogram() {
    metrics.applied(Duration.ofSeconds(3));
    metrics.applied(Duration.ofMinutes(10));
    assertThat(registry.scrape())
        .contains("fulcrum_scim_acknowledged_to_applied_seconds_bucket{le=\"5.0\"} 1")
        .contains("fulcrum_scim_acknowledged_to_applied_seconds_bucket{le=\"900.0\"} 2")
        .contains("fulcrum_scim_acknowledged_to_applied_seconds_count 2");
  }

  @Test
  void buildInfoCarriesVersionAndCommit() {
    metrics.buildInfo(new BuildInfo("1.2.3", "abc123def456"));
    assertThat(registry.scrape()).contains("fulcrum_scim_build_info{commit=\"abc123def456\",version=\"1.2.3\"} 1");
  }
}
