package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
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
    assertThat(java.nio.file.Files.readString(Path.of("etc/prometheus/fulcrum-scim-rules-held.yml")))
        .contains("expr: " + series + " > 0");
  }

  @Test
  void oldestPendingAgeCountsFromWhenTheChangeWasQueued() {
    new WorkQueue(db, clock).enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(90));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 90");
  }

  @Test
  void aRetryingRowAgesFromItsFirstFailureNotItsLastAttempt() {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u1"));
    clock.tick(Duration.ofSeconds(10));
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(50), "503 from Fulcrum", true);
    clock.tick(Duration.ofSeconds(50));
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(60), "503 from Fulcrum", true);
    clock.tick(Duration.ofSeconds(30));
    assertThat(registry.scrape()).contains("fulcrum_scim_oldest_pending_age_seconds 80");
  }

  @Test
  void applyOutcomesAreCountedByKind() {
    metrics.applyOutcome("applied");
    metrics.applyOutcome("applied");
    metrics.applyOutcome("retry");
    assertThat(registry.scrape())
        .contains("reconcile_outcomes_total{kind=\"applied\"} 2")
        .contains("reconcile_outcomes_total{kind=\"retry\"} 1");
  }

  @Test
  void scimRequestsAreCountedByRouteTemplateAndStatus() throws Exception {
    Javalin app = Javalin.create(cfg -> {
      cfg.routes.get("/scim/v2/Users/{id}", ctx -> ctx.status(404));
      cfg.routes.after("/scim/*", metrics::recordScimRequest);
    }).start("127.0.0.1", 0);
    try {
      HttpClient http = HttpClient.newHttpClient();
      for (String id : new String[] {"a", "b"}) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/scim/v2/Users/" + id)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    } finally {
      app.stop();
    }
    assertThat(registry.scrape())
        .contains("scim_requests_total{method=\"GET\",route=\"/scim/v2/Users/{id}\",status=\"404\"} 2");
  }
}
