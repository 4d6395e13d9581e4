package com.fulcrumscim.control;

import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.db.StoreLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A {@code serve} that holds the SQLite file (its {@link StoreLock}) but has held no live writer
 * lease for a lease's life: hung (stopped by a signal, a wedged JVM) or stopping. Nothing reaches
 * Fulcrum and its SCIM intake may be dead too, while {@code systemctl} shows it running, so
 * {@code status} names it rather than listing the causes of a free lease. A serve that took the
 * file less than a lease's life ago is starting: it takes the lease right after opening the file.
 * The reverse too ({@link #gone}): a daemon's live lease on a file no serve holds.
 */
public final class StalledServe {
  private StalledServe() {}

  /**
   * The line that says so, or empty (a live lease of anyone, no serve holding the file, one that
   * took it or let its lease lapse less than {@code ttl} ago, PostgreSQL). {@code lease}: read only.
   */
  public static Optional<String> find(StoreLocation location, WriterLease lease, Duration ttl, Instant now) {
    if (lease.current().isPresent()) {
      return Optional.empty();
    }
    Optional<StoreLock.Holder> serve = StoreLock.holder(location).filter(StoreLock.Holder::serve);
    if (serve.isEmpty()) {
      return Optional.empty();
    }
    String process = serve.get().process();
    Instant since = serve.get().since();
    // the lease row is this serve's when its holder is this process (WriterLease names holders "pid@host/...")
    Optional<Instant> lapsedAt = lease.last().filter(h -> h.holder().startsWith(process + "/"))
        .map(WriterLease.Holder::expiresAt);
    Instant without = lapsedAt.orElse(since);
    if (now.isBefore(without.plus(ttl))) {
      return Optional.empty();
    }
    String noLease = lapsedAt.map(at -> "its writer lease lapsed at " + at.truncatedTo(ChronoUnit.SECONDS))
        .orElse("has held no writer lease since it took it");
    return Optional.of("`fulcrum-scim serve` (" + process + ", since " + since + ") holds the database but " + noLease
        + ": hung or stopping; restart it (systemctl restart fulcrum-scim)");
  }

  /**
   * On SQLite, the line that says the daemon holding {@code lease} is gone, or empty: a live daemon
   * lease while no serve holds the file is a daemon killed outright (kill -9, the machine reset),
   * whose lease stays until it expires, and status said "running" until then (review-s8c F8). A serve
   * takes the file before its lease and lets it go after it, so a live one always holds the file.
   */
  public static Optional<String> gone(StoreLocation location, Optional<WriterLease.Holder> lease) {
    if (!(location instanceof StoreLocation.SqliteFile) || lease.filter(h -> h.role() == WriterLease.Role.DAEMON).isEmpty()
        || StoreLock.holder(location).isPresent()) {
      return Optional.empty();
    }
    return Optional.of("the daemon that holds the writer lease (" + lease.get().holder() + ") is gone: no `fulcrum-scim serve`"
        + " holds the database (killed, or the machine restarted); start it (systemctl start fulcrum-scim): it takes the"
        + " lease over once it expires at " + lease.get().expiresAt().truncatedTo(ChronoUnit.SECONDS));
  }
}
