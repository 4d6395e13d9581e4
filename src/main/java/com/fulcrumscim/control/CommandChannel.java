package com.fulcrumscim.control;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.ops.ExitCode;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How an acting operator command gets carried out by the one writer: a running daemon gets a
 * request row and the command waits for its answer, relaying progress; with no daemon the command
 * does the work itself while holding the writer lease, so a daemon starting meanwhile (or a second
 * command) waits instead of applying at the same time; on SQLite it holds the file's {@link StoreLock}
 * too, so no restore swaps the file under what it writes (it is refused, having done nothing, when a
 * restore swapped the file it opened before it held that lock), and a serve starting meanwhile
 * exits naming the command (systemd starts it again) instead of standing by. A daemon's lease that
 * lapsed less than a lease's life ago does not mean "no daemon": a standby takes it over within a
 * third of that life (a failover, a leader that stalled, the database failing over), and a
 * restarting {@code serve} soon after. Until then the command waits for the daemon that takes over, and only then works
 * in-process, where an in-process resync would keep every daemon out for minutes.
 */
public final class CommandChannel {
  /**
   * The command's own way of doing the work, used when no daemon runs, under {@code lease}: the
   * command's writer lease when it writes, else {@link Fences#READING}.
   */
  @FunctionalInterface
  public interface InProcess {
    OperatorRequest.Answer run(Watch watch, Fences lease);
  }

  /**
   * What a command working in-process passes while it holds the writer lease ({@link CommandLease}),
   * so that a daemon that took the lease over (the command stalled past its life) never applies
   * beside it: its Fulcrum writes pass {@link #fence()}, its work claims {@link #claims()} (a
   * reconciler's queue is built with it), and {@link #whenLost} stops what it runs.
   */
  public interface Fences {
    /** A command that does not write: it sends what it reads, and claims no work. */
    Fences READING = new Fences() {
      @Override
      public BeforeSend fence() {
        return BeforeSend.NONE;
      }

      @Override
      public ClaimFence claims() {
        return c -> false;
      }

      @Override
      public void whenLost(Runnable stop) {}
    };

    /** What each Fulcrum write must pass: refused once the lease is lost. */
    BeforeSend fence();

    /** What each claim of work rows must pass, in its transaction. */
    ClaimFence claims();

    /** Runs {@code stop} once the lease is lost (at once if it is). */
    void whenLost(Runnable stop);
  }

  static final Duration WAIT_STEP = Duration.ofMillis(200);
  /** How long a request may wait unclaimed before the command says what the daemon is busy with. */
  static final Duration SAY_WAITING_AFTER = Duration.ofSeconds(1);

  private final Database db;
  private final RequestStore requests;
  private final WriterLease lease;
  private final WorkQueue queue;
  private final PrintWriter notices;
  private final ExitHooks exitHooks;

  /** The lapsed daemon lease this command has said it waits on (each lapse is told once). */
  private Instant saidLapsedAt;
  /** When this command first found a serve holding the file but not the lease ({@link System#nanoTime}). */
  private Long serveSeenAt;

  /**
   * {@code ttl}: the writer lease's life, ha.lease_ttl (the daemons' and the command's own);
   * {@code notices}: where the command says what it waits for (its stderr).
   */
  public CommandChannel(Database db, Clock clock, Duration ttl, PrintWriter notices) {
    this(db, clock, ttl, notices, ExitHooks.RUNTIME);
  }

  /** {@code exitHooks}: the JVM's, but in tests that deliver Ctrl-C at a chosen moment. */
  CommandChannel(Database db, Clock clock, Duration ttl, PrintWriter notices, ExitHooks exitHooks) {
    this.db = db;
    this.requests = new RequestStore(db, clock);
    this.lease = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, ttl);
    this.queue = new WorkQueue(db, clock);
    this.notices = notices;
    this.exitHooks = exitHooks;
  }

  /**
   * Carries out {@code kind}: through the daemon when one runs, else {@code inProcess}, under the
   * writer lease when it {@code writes}.
   */
  public OperatorRequest.Answer perform(OperatorRequest.Kind kind, String target, boolean json, boolean writes,
      Watch watch, InProcess inProcess) throws InterruptedException {
    while (true) {
      Optional<WriterLease.Holder> holder = lease.current();
      if (holder.map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false)) {
        Optional<OperatorRequest.Answer> answer = viaDaemon(kind, target, json, watch);
        if (answer.isPresent()) {
          return answer.get();
        }
        continue; // no daemon took the request before its lease had lapsed for a lease's life: look again
      }
      if (holder.isEmpty() && daemonMayHoldItSoon(null)) {
        Thread.sleep(WAIT_STEP.toMillis());
        continue;
      }
      if (!writes) {
        return inProcess.run(watch, Fences.READING);
      }
      StoreLock file;
      try {
        // the SQLite file's lock, for the whole run: a restore swapping the file meanwhile would keep
        // what this command writes only in the replaced file (lost links mean duplicate creates later)
        file = StoreLock.take(db.location(), kind.command());
      } catch (StoreLock.InUseException e) {
        if (db.replacedSinceOpened()) {
          return replaced(); // the lease this command reads is the replaced file's: no daemon answers it there
        }
        if (e.serve() && holder.isPresent()) {
          // what keeps the standing-by serve from the lease, and this command from the work, is the
          // command holding it (check --write-test): once it ends, that serve takes the lease
          return heldByCommand(holder.get());
        }
        if (e.serve() && serveMayHoldItSoon()) {
          Thread.sleep(WAIT_STEP.toMillis());
          continue; // a serve starting holds the lease at once, then it carries this out
        }
        return new OperatorRequest.Answer(ExitCode.FAILED, "", e.getMessage() + "; nothing was done" + System.lineSeparator());
      }
      try (file) {
        if (db.replacedSinceOpened()) {
          // a restore swapped the file while this command waited, before it held the lock: what it
          // wrote through the file it has open would reach neither storage.path nor the replaced copy
          return replaced();
        }
        Optional<CommandLease> held = CommandLease.take(lease);
        if (held.isPresent()) {
          try (CommandLease mine = held.get()) {
            ExitRelease onExit = new ExitRelease(mine, exitHooks);
            try {
              // the only lease is this command's, so rows left RUNNING are a dead writer's: a resync would
              // otherwise wait out its settling for them and report them as drift, and nothing else frees them;
              // fenced, as a daemon may have taken the lease over had this command stalled since taking it
              queue.rescue(mine.claims());
              return inProcess.run(watch, mine);
            } finally {
              onExit.close();
            }
          }
        }
        Optional<WriterLease.Holder> other = lease.current();
        if (other.map(h -> h.role() == WriterLease.Role.COMMAND).orElse(false)) {
          return heldByCommand(other.get());
        }
      }
      // the holder went away or a daemon just took the lease: look again
    }
  }

  private static OperatorRequest.Answer heldByCommand(WriterLease.Holder command) {
    // a command killed outright (kill -9) leaves its lease until it expires: when it ends is then never (review-s8c F8)
    return new OperatorRequest.Answer(ExitCode.FAILED, "", command.describe()
        + " holds the Fulcrum writer lease; nothing was done: run this again when it ends (if it was killed, after "
        + command.expiresAt() + ")" + System.lineSeparator());
  }

  private OperatorRequest.Answer replaced() {
    return new OperatorRequest.Answer(ExitCode.FAILED, "", db.location().describe() + " was replaced (a restore) "
        + "since this command opened it; nothing was done: run it again" + System.lineSeparator());
  }

  /**
   * Whether a {@code serve} that holds the SQLite file but no writer lease may take the lease soon:
   * one starting takes it right after opening the file, one stopping lets the file go right after
   * the lease. Told once; past a lease's life it is stuck, and the command is refused.
   */
  private boolean serveMayHoldItSoon() {
    long now = System.nanoTime();
    if (serveSeenAt == null) {
      serveSeenAt = now;
      notices.println("`fulcrum-scim serve` holds the database but not the writer lease (it is starting, stopping or hung): "
          + "waiting up to " + lease.ttl().toSeconds() + " s for it to take the lease");
      notices.flush();
    }
    return now - serveSeenAt < lease.ttl().toNanos();
  }

  /**
   * The daemon's answer; empty when the daemon went away before taking the request (withdrawn,
   * nothing done). A command given up on (Ctrl-C, the thread interrupted) withdraws its request
   * on the way out, so the daemon does not carry it out later with no one watching.
   */
  private Optional<OperatorRequest.Answer> viaDaemon(OperatorRequest.Kind kind, String target, boolean json, Watch watch)
      throws InterruptedException {
    try (ExitWithdrawal request = new ExitWithdrawal(requests, notices, exitHooks)) {
      OptionalLong id = request.submit(kind, target, json);
      if (id.isEmpty()) {
        return Optional.of(new OperatorRequest.Answer(ExitCode.FAILED, "", "")); // Ctrl-C came first: nothing asked for
      }
      try {
        return awaitAnswer(id.getAsLong(), watch);
      } catch (InterruptedException e) {
        request.giveUp();
        throw e;
      } finally {
        request.settled();
      }
    }
  }

  /**
   * Whether a daemon may hold the lease again soon (see {@link WriterLease#lapsedDaemon()}), saying
   * so once per lapse; {@code request}: the request that waits for it, or null.
   */
  private boolean daemonMayHoldItSoon(Long request) {
    Optional<WriterLease.Holder> lapsed = lease.lapsedDaemon();
    if (lapsed.isPresent() && !lapsed.get().expiresAt().equals(saidLapsedAt)) {
      saidLapsedAt = lapsed.get().expiresAt();
      boolean stepped = lapsed.get().stepped();
      notices.println((stepped ? "the daemon holding the writer lease (" + lapsed.get().holder() + ") stopped at "
              + saidLapsedAt.truncatedTo(ChronoUnit.SECONDS) + ": a standby may take it over; waiting for one until "
          : "the daemon's writer lease lapsed at " + saidLapsedAt.truncatedTo(ChronoUnit.SECONDS) + " ("
              + lapsed.get().holder() + "): a standby taking over or a restarting `fulcrum-scim serve` may hold it again "
              + "soon; waiting for one until ")
          + lease.takenOverBy(lapsed.get()).truncatedTo(ChronoUnit.SECONDS)
          + (request == null ? " before doing this here" : " to carry out request #" + request));
      notices.flush();
    }
    return lapsed.isPresent();
  }

  private boolean daemonHoldsTheLease() {
    return lease.current().map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false);
  }

  private Optional<OperatorRequest.Answer> awaitAnswer(long id, Watch watch) throws InterruptedException {
    long submitted = System.nanoTime();
    boolean saidWhy = false;
    boolean planShown = false;
    String lastProgress = null;
    String lastNotice = null;
    while (true) {
      Optional<OperatorRequest> current = requests.get(id);
      if (current.isEmpty()) {
        // withdrawn by the exit hook (Ctrl-C), which said so: the JVM is ending, there is nothing more to print
        return Optional.of(new OperatorRequest.Answer(ExitCode.FAILED, "", ""));
      }
      OperatorRequest r = current.get();
      if (r.planText() != null && !planShown) {
        planShown = true;
        watch.planned(r.planText());
      }
      String progress = r.phase() + " " + r.done() + "/" + r.total();
      if (r.phase() != null && !Objects.equals(progress, lastProgress)) {
        lastProgress = progress;
        watch.update(r.phase(), r.done(), r.total());
      }
      if (r.notice() != null && !r.notice().equals(lastNotice)) {
        lastNotice = r.notice();
        notices.println(lastNotice);
        notices.flush();
      }
      if (r.state() == OperatorRequest.State.DONE) {
        return Optional.of(r.answer());
      }
      if (!saidWhy && r.state() == OperatorRequest.State.PENDING && System.nanoTime() - submitted >= SAY_WAITING_AFTER.toNanos()) {
        Optional<RequestStore.Ahead> ahead = requests.ahead(id);
        if (ahead.isPresent()) {
          saidWhy = true;
          notices.println("waiting for the daemon: it is carrying out request #" + ahead.get().id() + " ("
              + ahead.get().kind() + ", asked for at " + ahead.get().createdAt().truncatedTo(ChronoUnit.SECONDS) + ")");
          notices.flush();
        }
      }
      // a live daemon renews its lease every few seconds: once it has lapsed for a lease's life, no daemon takes it over
      if (!daemonHoldsTheLease()) {
        if (daemonMayHoldItSoon(id)) {
          Thread.sleep(WAIT_STEP.toMillis());
          continue;
        }
        if (requests.withdraw(id)) {
          return Optional.empty();
        }
        OperatorRequest last = requests.get(id).orElseThrow();
        if (last.state() == OperatorRequest.State.DONE) {
          return Optional.of(last.answer()); // answered, then the daemon stopped
        }
        if (daemonHoldsTheLease()) {
          // a daemon that took over meanwhile claimed it before the withdraw: it answers
          Thread.sleep(WAIT_STEP.toMillis());
          continue;
        }
        return Optional.of(new OperatorRequest.Answer(ExitCode.FAILED, "", "the daemon stopped while carrying out this "
            + "request; `fulcrum-scim journal list` shows where the work stands" + System.lineSeparator()));
      }
      Thread.sleep(WAIT_STEP.toMillis());
    }
  }
}
