package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acting commands from an operator's shell that lacks the unit's environment (the Fulcrum API
 * token, server.port's variable): they never call Fulcrum themselves, so they need only storage.*
 * and guard.*; a resync needs the rest only when it works in-process (review L5).
 */
class ActingCommandsOutsideTheUnitsEnvironmentTest {
  /** Set in the unit's environment file only: the shell running the command lacks them. */
  static final String SHELL_LACKS = OperatorCliTest.REAL_FULCRUM + "server:\n  port: ${FULCRUM_SCIM_TEST_PORT_NEVER_SET}\n"
      + "guard:\n  mass_removal_minimum: 5\n";

  @TempDir Path dir;

  @Test
  void journalRetryAndSkipApproveRemovalsAndRestoreReleaseRunWithoutIt() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir, SHELL_LACKS);
    try (Database db = cli.openDatabase()) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      for (String id : List.of("u-retry", "u-skip")) {
        queue.enqueue(ResourceKey.user(id));
        queue.dead(queue.claim(1).get(0), "422 rejected");
      }
      new RestoreMarker(db).mark(Instant.now());
    }
    for (String[] command : List.of(new String[] {"journal", "retry", "user/u-retry"},
        new String[] {"journal", "skip", "user/u-skip"}, new String[] {"approve-removals"},
        new String[] {"restore", "release", "--all"})) {
      OpsCliRun.Result r = cli.runWithConfig(command);
      assertThat(r.exit()).as(String.join(" ", command) + ": " + r.out() + r.err()).isZero();
      assertThat(r.err()).doesNotContain(OperatorCliTest.UNSET);
    }
  }

  @Test
  void aResyncTheDaemonCarriesOutNeedsNoApiTokenHere() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
        ScimTestServer daemon = ScimTestServer.start(dir, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: "
            + fulcrum.token() + "\n  calls_per_hour: 3600000\n", Clock.systemUTC(), Bridge.Mode.FULL)) {
      OpsCliRun cli = new OpsCliRun(dir, SHELL_LACKS);
      try (Database db = cli.openDatabase()) {
        WriterLease lease = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND);
        await().atMost(Duration.ofSeconds(30)).until(() -> lease.current()
            .map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false));
      }

      OpsCliRun.Result r = cli.runWithConfig("resync", "--dry-run");

      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains("No drift");
    }
  }

  @Test
  void aResyncWithNoDaemonRunningStillNeedsTheApiTokenAndNamesItsVariable() throws Exception {
    OpsCliRun cli = new OpsCliRun(dir, OperatorCliTest.REAL_FULCRUM);
    cli.openDatabase().close();

    OpsCliRun.Result r = cli.runWithConfig("resync", "--dry-run");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).contains("fulcrum.api_token").contains(OperatorCliTest.UNSET).doesNotContain("\n");
  }
}
