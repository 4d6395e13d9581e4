package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.ops.ExitCode;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator command working in-process under the writer lease, on a real SQLite file, stopped by
 * Ctrl-C (review-s6b N3): the lease is given up as the JVM exits, so a daemon started next takes it
 * at once instead of waiting up to {@code ha.lease_ttl} for it to expire.
 */
class CommandLeaseOnExitTest {
  static final Duration TTL = Duration.ofSeconds(15);
  @TempDir Path dir;
  Database db;
  final CommandChannelTest.Signal signal = new CommandChannelTest.Signal();

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aCtrlCWhileACommandWorksInProcessGivesItsLeaseUp() throws Exception {
    WriterLease daemon = new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, TTL);
    boolean[] daemonTookIt = {false};

    new CommandChannel(db, Clock.systemUTC(), TTL, new PrintWriter(Writer.nullWriter()), signal)
        .perform(OperatorRequest.Kind.RESYNC, null, false, true, Watch.NONE, (watch, fence) -> {
          signal.lands(); // Ctrl-C while the command works
          daemonTookIt[0] = daemon.tryHold(); // a daemon starting now
          return new OperatorRequest.Answer(ExitCode.OK, "", "");
        });

    assertThat(signal.uncaught).isEmpty();
    assertThat(daemonTookIt[0]).as("a daemon took the lease as the command's JVM exited").isTrue();
  }

  /**
   * review-s8a F1: on SQLite the lease's own fence checks nothing, so the exit counts as a loss: the
   * command's work (a resync) is stopped, and it claims and writes nothing more while the JVM exits.
   */
  @Test
  void aCtrlCStopsTheCommandsWorkAndRefusesItsClaimsAndWrites() throws Exception {
    AtomicBoolean stopped = new AtomicBoolean();
    AtomicReference<Boolean> claims = new AtomicReference<>();
    AtomicReference<Throwable> write = new AtomicReference<>();

    new CommandChannel(db, Clock.systemUTC(), TTL, new PrintWriter(Writer.nullWriter()), signal)
        .perform(OperatorRequest.Kind.RESYNC, null, false, true, Watch.NONE, (watch, fence) -> {
          fence.whenLost(() -> stopped.set(true));
          signal.lands();
          claims.set(db.read(c -> fence.claims().holds(c)));
          write.set(catchThrowable(() -> fence.fence().check("DELETE /api/v2/memberships/7.json")));
          return new OperatorRequest.Answer(ExitCode.OK, "", "");
        });

    assertThat(signal.uncaught).isEmpty();
    assertThat(stopped).as("the command's work was told to stop").isTrue();
    assertThat(claims.get()).as("a claim after the exit began").isFalse();
    assertThat(write.get()).isInstanceOf(FulcrumException.Unavailable.class).hasMessageContaining("not sent");
  }
}
