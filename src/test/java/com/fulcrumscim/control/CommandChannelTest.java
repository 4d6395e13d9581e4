package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.testing.BridgeProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command waiting for the daemon, on a real SQLite file with a daemon's lease held and its request thread busy. */
class CommandChannelTest {
  static final BridgeConfig CONFIG = ConfigLoader.fromSystemEnvironment().defaults();

  @TempDir Path dir;
  Database db;
  RequestStore store;
  final StringWriter notices = new StringWriter();
  final Signal signal = new Signal();

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    store = new RequestStore(db, Clock.systemUTC());
    // the daemon's lease, live for the whole test: a child JVM may take many seconds to start
    assertThat(new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON, Duration.ofMinutes(10))
        .tryHold()).isTrue();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aCommandGivenUpOnWhileItWaitsWithdrawsItsRequest() throws Exception {
    held("the-one-the-operator-changed-their-mind-about");
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread command = waiting(OperatorRequest.Kind.APPROVE_REMOVALS,
        OperatorRequest.approvalTarget(new RemovalGuard(db, Clock.systemUTC(), CONFIG.guard()).held()), ended);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());

    command.interrupt();
    command.join();

    assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    assertThat(store.get(1)).as("withdrawn: no daemon carries it out later").isEmpty();
    assertThat(notices.toString()).contains("request #1 withdrawn: the daemon had not begun it, nothing was done");
  }

  @Test
  void aCtrlCBeforeTheCommandCouldWithdrawARequestLeavesNoRequestBehind() throws Exception {
    held("the-one-the-operator-changed-their-mind-about");
    signal.landsBeforeTheNextHook = true;
    AtomicReference<Throwable> ended = new AtomicReference<>();

    waiting(OperatorRequest.Kind.APPROVE_REMOVALS, OperatorRequest.approvalTarget(
        new RemovalGuard(db, Clock.systemUTC(), CONFIG.guard()).held()), ended).join(10_000);

    assertThat(store.get(1)).as("nothing left PENDING for the daemon to carry out later").isEmpty();
    assertThat(ended.get()).isNull();
  }

  @Test
  void aCtrlCAsTheAnswerArrivesEndsTheCommandQuietlyOnceItClosedTheDatabase() throws Exception {
    Thread command = waiting(OperatorRequest.Kind.RETRY, null, new AtomicReference<>());
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());
    assertThat(store.claimNext()).isPresent();
    signal.exiting = true; // the JVM begins to exit: the command can no longer take its hook back
    store.answer(1, new OperatorRequest.Answer(0, "no dead rows" + System.lineSeparator(), ""));
    command.join(10_000);
    db.close(); // as the command does once it has its answer

    signal.lands();

    assertThat(signal.uncaught).as("no stack trace from the hook").isEmpty();
    assertThat(notices.toString()).isEmpty();
  }

  @Test
  void aCtrlCThatCannotWithdrawTheRequestSaysTheDaemonMayStillCarryItOut() throws Exception {
    Thread command = waiting(OperatorRequest.Kind.RETRY, null, new AtomicReference<>());
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER withdraw_refused BEFORE DELETE ON operator_request "
        + "BEGIN SELECT RAISE(ABORT, 'database blip'); END"));

    signal.lands();
    command.interrupt();
    command.join(10_000);

    assertThat(signal.uncaught).as("no stack trace from the hook").isEmpty();
    assertThat(notices.toString()).startsWith("request #1 could not be withdrawn (")
        .contains("database blip").contains("the daemon may still carry it out");
  }

  @Test
  void aCommandWaitingBehindAnotherRequestSaysWhichOneTheDaemonIsCarryingOut() throws Exception {
    long resync = store.submit(OperatorRequest.Kind.RESYNC, null, false);
    assertThat(store.claimNext()).isPresent();
    Thread command = waiting(OperatorRequest.Kind.RETRY, null, new AtomicReference<>());

    await().atMost(Duration.ofSeconds(5)).until(() -> notices.toString().contains("waiting for the daemon"));
    command.interrupt();
    command.join();

    assertThat(notices.toString()).startsWith("waiting for the daemon: it is carrying out request #" + resync + " (RESYNC, asked for at ");
  }

  @Test
  void ctrlCOnACommandWaitingForTheDaemonWithdrawsItsRequest() throws Exception {
    held("y");
    Path cfg = BridgeProcess.writeConfig(dir, "https://fulcrum.example", "t", "");
    try (BridgeProcess cmd = BridgeProcess.command(Map.of(), "approve-removals", "--config", cfg.toString())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> store.get(1).isPresent()); // a child JVM on a loaded machine
      cmd.signal("INT"); // the operator gives up
      assertThat(cmd.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> String.join("\n", cmd.output()).contains("withdrawn"));
    }

    assertThat(store.get(1)).as("withdrawn: no daemon approves it later").isEmpty();
  }

  @Test
  void aRequestANewLeaderClaimedAsTheOldOnesLeaseExpiredIsAwaitedNotReportedAsStopped() throws Exception {
    db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = "
        + (System.currentTimeMillis() + 1_000))); // the old leader stops renewing: its lease ends in a second
    // the command's withdraw comes just too late: a new leader has taken the lease and claimed the request
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER new_leader_claims BEFORE DELETE ON operator_request "
        + "WHEN OLD.state = 'PENDING' BEGIN UPDATE operator_request SET state = 'RUNNING' WHERE id = OLD.id; "
        + "UPDATE writer_lease SET holder = 'daemon-b', expires_at = " + (System.currentTimeMillis() + 60_000) + "; "
        + "SELECT RAISE(IGNORE); END"));
    AtomicReference<OperatorRequest.Answer> answer = new AtomicReference<>();
    Thread command = new Thread(() -> {
      try {
        // a lease's life of a second: the command stops waiting for a daemon to take the lapsed lease over soon
        answer.set(new CommandChannel(db, Clock.systemUTC(), Duration.ofSeconds(1), new PrintWriter(notices, true))
            .perform(OperatorRequest.Kind.RETRY, null, false, true, Watch.NONE, (w, f) -> {
              throw new AssertionError("not in-process: a daemon runs");
            }));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    command.start();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> store.get(1).map(r -> r.state() == OperatorRequest.State.RUNNING).orElse(false));
    Thread.sleep(CommandChannel.WAIT_STEP.multipliedBy(3).toMillis());

    store.answer(1, new OperatorRequest.Answer(0, "no dead rows" + System.lineSeparator(), ""));
    command.join(10_000);

    assertThat(answer.get()).isEqualTo(new OperatorRequest.Answer(0, "no dead rows" + System.lineSeparator(), ""));
  }

  @Test
  void aCommandWorkingWithoutADaemonFirstFreesTheRowsADeadDaemonLeftRunning() throws Exception {
    db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = 0")); // the daemon died
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    ResourceKey ada = ResourceKey.user("u-ada");
    queue.enqueue(ada);
    assertThat(queue.claim(1)).hasSize(1); // claimed by the daemon as it died

    AtomicReference<WorkState> seenInProcess = new AtomicReference<>();
    new CommandChannel(db, Clock.systemUTC(), WriterLease.TTL, new PrintWriter(notices, true)).perform(OperatorRequest.Kind.RESYNC, null,
        false, true, Watch.NONE, (w, f) -> {
          seenInProcess.set(queue.get(ada).orElseThrow().state());
          return new OperatorRequest.Answer(0, "", "");
        });

    assertThat(seenInProcess.get()).isEqualTo(WorkState.PENDING);
  }

  private Thread waiting(OperatorRequest.Kind kind, String target, AtomicReference<Throwable> ended) {
    Thread command = new Thread(() -> {
      try {
        new CommandChannel(db, Clock.systemUTC(), WriterLease.TTL, new PrintWriter(notices, true), signal).perform(kind, target, false, true,
            Watch.NONE, (w, f) -> {
              throw new AssertionError("not in-process: a daemon runs");
            });
      } catch (Throwable t) {
        ended.set(t);
      }
    });
    command.start();
    return command;
  }

  private void held(String id) {
    long now = System.currentTimeMillis();
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO work (entity_type, entity_id, state, generation, "
        + "attempts, next_attempt_at, created_at, updated_at, removal) VALUES ('USER', '" + id + "', 'HELD', 1, 0, "
        + now + ", " + now + ", " + now + ", 1)"));
  }

  /** The JVM's shutdown hooks as the test drives them: Ctrl-C lands when the test says. */
  static final class Signal implements ExitHooks {
    final List<Thread> hooks = new CopyOnWriteArrayList<>();
    final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    volatile boolean exiting;
    /** Ctrl-C lands just before the command registers its next hook. */
    volatile boolean landsBeforeTheNextHook;

    @Override
    public void add(Thread hook) {
      if (landsBeforeTheNextHook) {
        lands();
      }
      if (exiting) {
        throw new IllegalStateException("Shutdown in progress");
      }
      hooks.add(hook);
    }

    @Override
    public void remove(Thread hook) {
      if (exiting) {
        throw new IllegalStateException("Shutdown in progress");
      }
      hooks.remove(hook);
    }

    /** Ctrl-C: the JVM exits, running each hook registered by then. */
    void lands() {
      exiting = true;
      for (Thread hook : hooks) {
        hook.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        hook.start();
        try {
          hook.join(10_000);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }
  }
}
