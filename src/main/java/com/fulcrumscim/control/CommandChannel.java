package com.fulcrumscim.control;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.ops.ExitCode;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an acting operator command gets carried out by the one writer: a running daemon gets a
 * request row and the command waits for its answer, relaying progress; with no daemon the command
 * does the work itself while holding the writer lease, so a daemon starting meanwhile (or a second
 * command) waits instead of applying at the same time.
 */
public final class CommandChannel {
  /**
   * The command's own way of doing the work, used when no daemon runs. Its Fulcrum writes must pass
   * {@code fence}: it refuses them once the command's lease lapsed (the process stalled past the
   * lease's life) or another holder took it, so a daemon that took over never writes beside it.
   */
  @FunctionalInterface
  public interface InProcess {
    OperatorRequest.Answer run(Watch watch, BeforeSend fence);
  }

  static final Duration WAIT_STEP = Duration.ofMillis(200);

  private final RequestStore requests;
  private final WriterLease lease;

  public CommandChannel(Database db, Clock clock) {
    this(db, clock, WriterLease.TTL);
  }

  /** {@code ttl}: the writer lease's life ({@link WriterLease#TTL} but in tests). */
  CommandChannel(Database db, Clock clock, Duration ttl) {
    this.requests = new RequestStore(db, clock);
    this.lease = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, ttl);
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
        Optional<OperatorRequest.Answer> answer = viaDaemon(requests.submit(kind, target, json), watch);
        if (answer.isPresent()) {
          return answer.get();
        }
        continue; // the daemon died before it took the request: its lease has expired, so do it here
      }
      if (!writes) {
        return inProcess.run(watch, BeforeSend.NONE);
      }
      Leadership leadership = new Leadership(lease.ttl());
      long startedAt = System.nanoTime();
      if (lease.tryHold()) {
        // held from this moment: the keeper's first renewal, on its own thread, may come after the first call
        leadership.renewed(startedAt);
        leadership.began();
        try (LeaseKeeper keeper = new LeaseKeeper(lease, leadership, () -> {}, () -> {})) {
          keeper.start();
          return inProcess.run(watch, leadership);
        }
      }
      Optional<WriterLease.Holder> other = lease.current();
      if (other.map(h -> h.role() == WriterLease.Role.COMMAND).orElse(false)) {
        return new OperatorRequest.Answer(ExitCode.FAILED, "", other.get().describe()
            + " holds the Fulcrum writer lease; nothing was done: run this again when it ends" + System.lineSeparator());
      }
      // the holder went away or a daemon just took the lease: look again
    }
  }

  /** The daemon's answer; empty when the daemon went away before taking the request (withdrawn, nothing done). */
  private Optional<OperatorRequest.Answer> viaDaemon(long id, Watch watch) throws InterruptedException {
    boolean planShown = false;
    String lastProgress = null;
    while (true) {
      OperatorRequest r = requests.get(id).orElseThrow();
      if (r.planText() != null && !planShown) {
        planShown = true;
        watch.planned(r.planText());
      }
      String progress = r.phase() + " " + r.done() + "/" + r.total();
      if (r.phase() != null && !Objects.equals(progress, lastProgress)) {
        lastProgress = progress;
        watch.update(r.phase(), r.done(), r.total());
      }
      if (r.state() == OperatorRequest.State.DONE) {
        return Optional.of(r.answer());
      }
      // a live daemon renews its lease every few seconds: once it has expired, the daemon is gone
      if (!lease.current().map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false)) {
        if (requests.withdraw(id)) {
          return Optional.empty();
        }
        OperatorRequest last = requests.get(id).orElseThrow();
        if (last.state() == OperatorRequest.State.DONE) {
          return Optional.of(last.answer()); // answered, then the daemon stopped
        }
        return Optional.of(new OperatorRequest.Answer(ExitCode.FAILED, "", "the daemon stopped while carrying out this "
            + "request; `fulcrum-scim journal list` shows where the work stands" + System.lineSeparator()));
      }
      Thread.sleep(WAIT_STEP.toMillis());
    }
  }
}
