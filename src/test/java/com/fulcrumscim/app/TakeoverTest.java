package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that starts while another node holds the writer lease is a standby: it stores SCIM
 * changes and applies nothing. When that node's lease runs out (it died), the standby takes over:
 * the work the dead node had claimed runs again, and {@code /healthz} and the leader gauge say so.
 */
class TakeoverTest {
  static final String X = "x@corp.example";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  ScimTestServer standby;

  @AfterEach
  void stop() {
    if (standby != null) {
      standby.close();
    }
    fulcrum.close();
  }

  @Test
  void aStandbyStoresChangesAndOnTakingOverAppliesWhatTheDeadLeaderHadClaimed() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) "
          + "VALUES ('fulcrum', 'the other node', 'DAEMON', " + now + ", " + (now + 8_000) + ")"));
    }
    standby = ScimTestServer.start(dir, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\nha:\n  lease_ttl: 3s\n", Clock.systemUTC(), Bridge.Mode.FULL);
    ScimHttp ops = new ScimHttp(standby.rootUrl(), "");
    assertThat(ops.get("/healthz").json().path("leader").asBoolean()).isFalse();
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_leader 0.0");

    new ScimOkta(standby.http()).user(X, "Xavier", "Example", null);
    try (Database db = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_WRITE)) {
      // as the dead leader would have left it: claimed, never finished
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'RUNNING'"));
    }
    Thread.sleep(1_000);
    assertThat(fulcrum.memberByEmail(X)).as("stored, not applied by a standby").isEmpty();

    await().atMost(Duration.ofSeconds(15)).until(() -> ops.get("/healthz").json().path("leader").asBoolean());
    await().atMost(Duration.ofSeconds(10)).until(() -> fulcrum.memberByEmail(X).isPresent());
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_leader 1.0");
  }
}
