package com.fulcrumscim.control;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.ops.ExitCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How an acting operator command gets carried out by the one writer: a running daemon gets a
 * request row and the command waits for its answer, relaying progress; with no daemon the command
 * does the work itself while holding the writer lease, so a daemon starting meanwhile (or a second
 * command) waits instead of applying at the same time.
 */
public final class CommandChannel {
  /** The command's own way of doing the work, used when no daemon runs. */
  @FunctionalInterface
  public interface InProcess {
    OperatorRequest.Answer run(Watch watch);
  }

  static final Duration WAIT_STEP = Duration.ofMillis(200);

  private final RequestStore requests;
  private final WriterLease lease;
  private final Clock clock;

  public CommandChannel(Database db, Clock clock) {
    this.requests = new RequestStore(db, clock);
    this.lease = new WriterLease(db, clock, WriterLease.Role.COMMAND);
    this.clock = clock;
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
        return viaDaemon(requests.submit(kind, target, json), watch);
      }
      if (!writes) {
        return inProcess.run(watch);
      }
      if (lease.tryHold()) {
        try (LeaseKeeper keeper = new LeaseKeeper(lease, () -> {})) {
          keeper.start();
          return inProcess.run(watch);
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

  private OperatorRequest.Answer viaDaemon(long id, Watch watch) throws InterruptedException {
    boolean planShown = false;
    String lastProgress = null;
    Instant daemonSeen = clock.instant();
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
        return r.answer();
      }
      if (lease.current().map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false)) {
        daemonSeen = clock.instant();
      } else if (clock.instant().isAfter(daemonSeen.plus(WriterLease.TTL))) {
        requests.withdraw(id);
        String what = r.state() == OperatorRequest.State.PENDING ? "before carrying out this request; nothing was done"
            : "while carrying out this request; `fulcrum-scim journal list` shows where the work stands";
        return new OperatorRequest.Answer(ExitCode.FAILED, "", "the daemon stopped " + what + System.lineSeparator());
      }
      Thread.sleep(WAIT_STEP.toMillis());
    }
  }
}
