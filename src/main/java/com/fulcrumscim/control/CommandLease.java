package com.fulcrumscim.control;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.FulcrumException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer lease held by an operator command that writes to Fulcrum itself (no daemon holds it),
 * renewed on its own thread until closed. Its {@link #fence()} refuses the command's writes once the
 * lease lapsed (the process stalled past its life) or another holder took it, as a daemon's are, and
 * its {@link #claims()} refuses its work claims then, checked in each claim's transaction.
 *
 * <p>Lost once, it stays lost: its keeper does not take a lapsed lease again, as a daemon may have
 * led meanwhile and rescued the rows the command held, and the command has no take-over of its own
 * to make (a daemon's rescues them again). So what it was doing is stopped ({@link #whenLost}) and
 * it writes and claims nothing more; run again, the command starts afresh.
 */
public final class CommandLease implements AutoCloseable, CommandChannel.Fences {
  private static final Logger log = LoggerFactory.getLogger(CommandLease.class);
  private final WriterLease lease;
  private final Leadership leadership;
  private final LeaseKeeper keeper;
  private final List<Runnable> whenLost = new ArrayList<>();
  private volatile boolean lost;
  /** Set by {@link #exit}: the command's own close, which may still run before the JVM halts, leaves the lease be. */
  private volatile boolean exiting;

  private CommandLease(WriterLease lease, long takenAt) {
    this.lease = lease;
    this.leadership = new Leadership(lease.ttl());
    // held from the take: a lease lost before the keeper's first renewal is heard too
    this.keeper = LeaseKeeper.heldByCommand(lease, leadership, this::lost, takenAt, System::nanoTime);
  }

  /** Takes the lease of life {@code ttl} (ha.lease_ttl) for a command; empty while another process holds it. */
  public static Optional<CommandLease> take(Database db, Clock clock, Duration ttl) {
    return take(new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, ttl));
  }

  static Optional<CommandLease> take(WriterLease lease) {
    long takenAt = System.nanoTime();
    if (!lease.tryHold()) {
      return Optional.empty();
    }
    CommandLease held = new CommandLease(lease, takenAt);
    held.keeper.start();
    return Optional.of(held);
  }

  /** What each of the command's Fulcrum writes must pass. */
  @Override
  public BeforeSend fence() {
    return endpoint -> {
      if (lost) {
        throw new FulcrumException.Unavailable(endpoint,
            "not sent: this command lost the writer lease (another process may have written since)", null);
      }
      leadership.check(endpoint);
    };
  }

  /** What each of the command's work claims must pass, in its transaction (the lease's {@link WriterLease#fence()}). */
  @Override
  public ClaimFence claims() {
    ClaimFence held = lease.fence();
    return c -> !lost && held.holds(c);
  }

  /** Runs {@code stop} once the lease is lost: at once if it already is. */
  @Override
  public void whenLost(Runnable stop) {
    synchronized (whenLost) {
      if (!lost) {
        whenLost.add(stop);
        return;
      }
    }
    stop.run();
  }

  private void lost() {
    List<Runnable> stops;
    synchronized (whenLost) {
      lost = true;
      stops = List.copyOf(whenLost);
    }
    stops.forEach(Runnable::run);
  }

  /** Stops renewing and gives the lease up, unless the JVM's exit gave it up already ({@link #exit}). */
  @Override
  public void close() {
    if (exiting) {
      keeper.halt(); // a delete now would undo the margin exit() left
    } else {
      keeper.close();
    }
  }

  /**
   * The JVM exits under the command (Ctrl-C, SIGTERM) while it works (review-s8a F1): counted as a
   * loss first, so its claims are refused on SQLite too (where the lease's own fence checks
   * nothing), its writes from now on, and what it was doing is stopped; then the lease is given up
   * ({@link WriterLease#releaseWithMargin}).
   */
  void exit() {
    exiting = true;
    lost();
    keeper.halt();
    leadership.ended();
    try {
      lease.releaseWithMargin();
    } catch (RuntimeException e) {
      log.warn("could not give the writer lease up as the command exits;"
          + " it expires within {}: {}", lease.ttl(), e.toString());
    }
  }
}
