package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.ops.ExitCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator command working in-process writes to Fulcrum only while its writer lease is live: once
 * another holder has it (the command stalled past the lease's life and a daemon took over), the
 * command's writes are refused before they leave, so two writers never apply at once.
 */
class CommandFenceTest {
  static final Duration TTL = Duration.ofMillis(900);
  @TempDir Path dir;

  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("bridge.db"));
  }

  @Test
  void aCommandWhoseLeaseAnotherHolderTookSendsNoWriteToFulcrum() throws Exception {
    try (Database db = Database.open(store());
        FulcrumEmulator fulcrum = FulcrumEmulator.builder().callsPerHour(0).build().start("127.0.0.1", 0)) {
      OperatorRequest.Answer answer = new CommandChannel(db, Clock.systemUTC(), TTL, new PrintWriter(Writer.nullWriter()))
          .perform(OperatorRequest.Kind.RESYNC, null, false, true, Watch.NONE, (watch, fence) -> {
            try (HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(),
                3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(),
                Sleeper.REAL, FulcrumCallListener.NONE, fence.fence())) {
              client.createGroup("while held", "");

              takeOverAsADaemon(db);
              Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 3);

              assertThatThrownBy(() -> client.createGroup("after the takeover", ""))
                  .isInstanceOf(FulcrumException.Unavailable.class).hasMessageContaining("not sent");
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
            return new OperatorRequest.Answer(ExitCode.OK, "", "");
          });
      assertThat(answer.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(fulcrum.groups()).extracting(FulcrumGroup::name).contains("while held").doesNotContain("after the takeover");
    }
  }

  /** What a daemon does once the command's lease has expired: the row names it, for a full lease's life. */
  private static void takeOverAsADaemon(Database db) {
    db.write(c -> c.createStatement().executeUpdate(
        "UPDATE writer_lease SET holder = 'daemon-b', role = 'DAEMON', expires_at = expires_at + 60000"));
  }
}
