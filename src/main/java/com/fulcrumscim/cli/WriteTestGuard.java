package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.control.CommandLease;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.WriteTest;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.LinkTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Where {@code check --write-test} may invite its throwaway member and create its group: never
 * beside the bridge's one writer to Fulcrum, so the test holds the writer lease for its whole run
 * (a daemon starting meanwhile stands by until it ends), never while a standby may take over a
 * daemon's lapsed lease, and in an organization the bridge
 * provisions only when the operator confirms it is a sandbox. The README's own example runs it
 * with the production config.yml.
 */
final class WriteTestGuard {
  /** The option that confirms it. */
  static final String ALLOW_MANAGED_ORG = "--allow-managed-org";

  private WriteTestGuard() {}

  /**
   * Takes the writer lease of {@code db} (of life {@code ttl}) for the write test, or throws a
   * {@link CommandFailure} saying why the test must not run through {@code db}'s config; {@code db}
   * null (no database yet: the first contact) has no lease to take and never refuses.
   */
  static Optional<CommandLease> hold(Database db, Duration ttl, boolean managedOrgAllowed) {
    if (db == null) {
      return Optional.empty();
    }
    WriterLease daemons = new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.COMMAND, ttl);
    // as an acting command waits for it: taken now, the lease would keep a standby out for the test's run
    daemons.lapsedDaemon().ifPresent(lapsed -> {
      throw new CommandFailure("a daemon's writer lease (" + lapsed.holder() + ") " + (lapsed.stepped() ? "was given up by a "
          + "clean stop" : "lapsed") + " at " + lapsed.expiresAt().truncatedTo(ChronoUnit.SECONDS) + "; " + takers(db, lapsed)
          + " may take it until " + daemons.takenOverBy(lapsed).truncatedTo(ChronoUnit.SECONDS) + ": --write-test would write to "
          + "Fulcrum beside it. Run it after that with the service stopped, or with a config of its own (another "
          + "storage.path); nothing was written");
    });
    CommandLease lease = CommandLease.take(db, Clock.systemUTC(), ttl).orElseThrow(() -> new CommandFailure(
        new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND).current().map(WriterLease.Holder::describe)
            .orElse("another process") + " holds the Fulcrum writer lease of this database: --write-test would "
            + "write to Fulcrum beside the bridge's one writer. Stop the service first (systemctl stop fulcrum-scim), or run "
            + "the write test with a config of its own (another storage.path); nothing was written"));
    try {
      if (!managedOrgAllowed) {
        managed(db).ifPresent(organization -> {
          throw new CommandFailure("this database links " + organization + ", which the bridge provisions: --write-test "
              + "would invite " + WriteTest.MARKER + "+<random>@example.com there (a seat, an invitation email) and create "
              + "a group. Run it against a sandbox organization with a config of its own (another storage.path), or add "
              + ALLOW_MANAGED_ORG + " if this organization is a sandbox; nothing was written");
        });
      }
      return Optional.of(lease);
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /**
   * Who may take over a daemon's lease that {@code lapsed}: a standby after a clean stop (only
   * PostgreSQL's leaves the lease behind), a restarting serve after a crash; SQLite has no standby.
   */
  private static String takers(Database db, WriterLease.Holder lapsed) {
    if (lapsed.stepped()) {
      return "a standby";
    }
    return db.location() instanceof StoreLocation.Postgres ? "a standby taking over or a restarting `fulcrum-scim serve`"
        : "a restarting `fulcrum-scim serve`";
  }

  /** What the links point into, as the refusal names it; empty when there are none, or only the emulator's. */
  private static Optional<String> managed(Database db) {
    Optional<String> target = new SettingStore(db).get(LinkTarget.KEY);
    if (target.filter(BridgeConfig.Fulcrum.EMBEDDED::equals).isPresent()) {
      return Optional.empty(); // into an emulator that ended with its run: a real Fulcrum gets every user pushed anew
    }
    LinkStore links = new LinkStore(db);
    int members = links.fulcrumIds(EntityType.USER).size();
    int groups = links.fulcrumIds(EntityType.GROUP).size();
    if (members + groups == 0) {
      return Optional.empty();
    }
    return Optional.of(members + " member(s) and " + groups + " group(s) into "
        + target.map(url -> "the Fulcrum organization at " + url).orElse("a Fulcrum organization"));
  }
}
