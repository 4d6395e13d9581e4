package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.testing.BridgeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} beside a {@code serve} that was stopped by SIGSTOP (a wedged daemon that systemd
 * still shows running): it names the process that holds the database and says to restart it.
 */
class StatusOfAStalledServeTest {
  @TempDir Path dir;

  @Test
  void aServeThatHoldsTheDatabaseButNoLongerItsLeaseIsNamedAndStatusExitsThree() throws Exception {
    Path config = BridgeProcess.writeConfig(dir, "embedded", "\"\"", "ha:\n  lease_ttl: 3s\n");
    OpsCliRun cli = new OpsCliRun(Files.createDirectories(dir.resolve("cli")));
    BridgeProcess serve = BridgeProcess.serve(config, Map.of());
    try {
      serve.endpoint();
      assertThat(cli.run("status", "--config", config.toString()).exit()).as("running, nothing waits").isZero();

      serve.signal("STOP");
      try {
        AtomicReference<OpsCliRun.Result> status = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
          status.set(cli.run("status", "--config", config.toString()));
          return status.get().exit() != 0;
        });
        assertThat(status.get().exit()).as(status.get().out() + status.get().err()).isEqualTo(3);
        assertThat(status.get().out()).containsPattern("Reconciler\\s+NOT RUNNING: `fulcrum-scim serve` \\("
            + serve.process().pid() + "@\\S+, since \\S+Z\\) holds the database but its writer lease lapsed at \\S+Z: "
            + "hung or stopping; restart it \\(systemctl restart fulcrum-scim\\)\n");
      } finally {
        serve.signal("CONT");
      }
    } finally {
      serve.terminate();
    }
  }
}
