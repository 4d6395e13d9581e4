package com.fulcrumscim.control;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.BeforeSend;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The writer lease held by an operator command that writes to Fulcrum itself (no daemon holds it),
 * renewed on its own thread until closed. Its {@link #fence()} refuses the command's writes once the
 * lease lapsed (the process stalled past its life) or another holder took it, as a daemon's are.
 */
public final class CommandLease implements AutoCloseable {
  private final Leadership leadership;
  private final LeaseKeeper keeper;

  private CommandLease(Leadership leadership, LeaseKeeper keeper) {
    this.leadership = leadership;
    this.keeper = keeper;
  }

  /** Takes the lease of life {@code ttl} (ha.lease_ttl) for a command; empty while another process holds it. */
  public static Optional<CommandLease> take(Database db, Clock clock, Duration ttl) {
    return take(new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, ttl));
  }

  static Optional<CommandLease> take(WriterLease lease) {
    Leadership leadership = new Leadership(lease.ttl());
    long startedAt = System.nanoTime();
    if (!lease.tryHold()) {
      return Optional.empty();
    }
    // held from this moment: the keeper's first renewal, on its own thread, may come after the first call
    leadership.renewed(startedAt);
    leadership.began();
    LeaseKeeper keeper = new LeaseKeeper(lease, leadership, () -> {}, () -> {});
    keeper.start();
    return Optional.of(new CommandLease(leadership, keeper));
  }

  /** What each of the command's Fulcrum writes must pass. */
  public BeforeSend fence() {
    return leadership;
  }

  /** Stops renewing and gives the lease up. */
  @Override
  public void close() {
    keeper.close();
  }
}
