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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsEndpointsTest {
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  final HttpClient http = HttpClient.newHttpClient();
  Database db;
  Javalin server;

  @BeforeEach
  void start() {
    db = Database.open(dir.resolve("ops.db"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new BridgeMetrics(registry, new OpsStore(db), clock);
    server = new OpsEndpoints(new Readiness(db), new OpsStore(db), registry, "embedded Fulcrum emulator", () -> true).startStandalone("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.stop();
    db.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzSaysOkAndThatTheReconcilerRuns() throws Exception {
    HttpResponse<String> r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\",\"target\":\"embedded Fulcrum emulator\",\"reconciler\":\"running\",\"leader\":true}");
  }

  @Test
  void readyzIs200WhenTheDatabaseTakesWrites() throws Exception {
    HttpResponse<String> r = get("/readyz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ready\",\"target\":\"embedded Fulcrum emulator\"}");
  }

  @Test
  void aPausedReconcilerKeepsReadyzAt200AndShowsInHealthzAndTheMetric() throws Exception {
    // intake keeps journaling while paused: a load balancer must not take the SCIM endpoint away
    db.write(c -> c.createStatement().executeUpdate(
        "INSERT INTO setting (key, value) VALUES ('reconciler.paused', 'Fulcrum answered 401: token revoked')"));
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").body()).contains("\"reconciler\":\"paused: Fulcrum answered 401: token revoked\"");
    assertThat(get("/metrics").body()).contains("fulcrum_scim_reconciler_paused 1");
  }

  @Test
  void anEmptyPauseSettingMeansRunning() throws Exception {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO setting (key, value) VALUES ('reconciler.paused', '')"));
    assertThat(get("/healthz").body()).contains("\"reconciler\":\"running\"");
  }

  @Test
  void probesLeaveTheDatabaseUnchanged() throws Exception {
    try (Connection watcher = DriverManager.getConnection("jdbc:sqlite:" + db.path())) {
      long before = dataVersion(watcher);
      for (int i = 0; i < 5; i++) {
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
      }
      assertThat(dataVersion(watcher)).as("PRAGMA data_version moves with any other connection's commit").isEqualTo(before);
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO setting (key, value) VALUES ('x', 'y')"));
      assertThat(dataVersion(watcher)).as("and does move for a real write").isNotEqualTo(before);
    }
  }

  private static long dataVersion(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA data_version")) {
      return rs.getLong(1);
    }
  }

  @Test
  void readyzIs503WhenTheDatabaseIsNotWritable() throws Exception {
    db.close();
    HttpResponse<String> r = get("/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("database not writable: database is closed");
  }

  @Test
  void metricsServesWorkDepthByStateInPrometheusText() throws Exception {
    WorkQueue queue = new WorkQueue(db, clock);
    queue.enqueue(ResourceKey.user("u1"));
    queue.enqueue(ResourceKey.group("g1"));
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body())
        .contains("fulcrum_scim_work{state=\"pending\"} 2")
        .contains("fulcrum_scim_work{state=\"dead\"} 0")
        .contains("fulcrum_scim_reconciler_paused 0");
  }

  @Test
  void theRoutesCanJoinAnotherJavalin() throws Exception {
    server.stop();
    OpsEndpoints endpoints = new OpsEndpoints(new Readiness(db), new OpsStore(db), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "embedded Fulcrum emulator", () -> true);
    server = Javalin.create(cfg -> {
      cfg.routes.get("/scim/v2/Users", ctx -> ctx.result("users"));
      endpoints.addTo(cfg);
    }).start("127.0.0.1", 0);
    assertThat(get("/scim/v2/Users").body()).isEqualTo("users");
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }
}
