package com.fulcrumscim.control;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When Fulcrum last accepted each node's own API token, one setting row a node ({@value #PREFIX}
 * and its writer-lease name: the database's time in milliseconds, then how long it counts), and the last hand-over
 * ({@value #HANDED_OVER}). A leader paused on its own refused token hands the lease over only to a
 * node whose entry is fresh (review-s11b, s11f F1: one report written at a node's start left the
 * cluster paused while a node whose token worked stood by). Taking an entry removes it, so one check
 * makes one hand-over at most; a leader never takes its own, nor, for a fresh entry's while, the
 * entry of the node that just handed the lease over (no ping-pong between two nodes whose checks
 * disagree with their reconcilers). With no fresh entry (every node's token refused) the leader stays
 * and probes.
 */
public final class AcceptedTokens {
  static final String PREFIX = "ha.token_accepted.";
  static final String HANDED_OVER = "ha.token_handed_over";

  /** A node whose token Fulcrum accepted {@code at}, by the database's clock. */
  public record Accepted(String node, Instant at) {}

  private final Database db;
  private final SettingStore settings;
  private final DatabaseClock clock;
  private final String me;
  private final Duration fresh;

  /**
   * {@code me}: this node, as its writer lease names it ({@link WriterLease#me()}); {@code fresh}: how
   * long an entry counts (a node that stopped checking, or stopped, no longer does).
   */
  public AcceptedTokens(Database db, DatabaseClock clock, String me, Duration fresh) {
    this.db = db;
    this.settings = new SettingStore(db);
    this.clock = clock;
    this.me = me;
    this.fresh = fresh;
  }

  /**
   * Fulcrum accepted this node's token just now, written within {@code bound}. Entries gone stale (nodes
   * killed outright) go with it.
   */
  public void accepted(Duration bound) {
    db.write(c -> {
      long now = clock.millis(c);
      Map<String, Optional<String>> changes = new HashMap<>();
      entries(c).forEach((node, at) -> {
        if (at.staleAt(now)) {
          changes.put(PREFIX + node, Optional.empty());
        }
      });
      changes.put(PREFIX + me, Optional.of(now + ";" + fresh.toMillis()));
      settings.write(c, changes);
      return null;
    }, bound);
  }

  /**
   * Fulcrum refuses this node's token now, or the node stops: no leader hands over to it on an earlier entry.
   * Within {@code bound}: failing, the entry ages out.
   */
  public void refused(Duration bound) {
    settings.write(Map.of(PREFIX + me, Optional.empty()), bound);
  }

  /**
   * Another node's freshest entry, taken together with this node's own (and the stale ones), and
   * this hand-over recorded, in one transaction within {@code bound}: of two leaders at once (one
   * stalled past its lease) only one takes a given entry.
   */
  public Optional<Accepted> takeAnothers(Duration bound) {
    return db.write(c -> {
      long now = clock.millis(c);
      Optional<String> justHandedOver = settings.get(c, HANDED_OVER).flatMap(value -> {
        int semicolon = value.indexOf(';');
        return now - Long.parseLong(value.substring(0, semicolon)) < fresh.toMillis()
            ? Optional.of(value.substring(semicolon + 1)) : Optional.empty();
      });
      Map<String, Optional<String>> changes = new HashMap<>();
      Optional<Accepted> freshest = Optional.empty();
      for (Map.Entry<String, Entry> entry : entries(c).entrySet()) {
        String node = entry.getKey();
        long at = entry.getValue().at();
        if (entry.getValue().staleAt(now)) {
          changes.put(PREFIX + node, Optional.empty());
        } else if (!node.equals(me) && !justHandedOver.equals(Optional.of(node))
            && freshest.map(f -> at > f.at().toEpochMilli()).orElse(true)) {
          freshest = Optional.of(new Accepted(node, Instant.ofEpochMilli(at)));
        }
      }
      if (freshest.isPresent()) {
        changes.put(PREFIX + freshest.get().node(), Optional.empty());
        changes.put(PREFIX + me, Optional.empty());
        changes.put(HANDED_OVER, Optional.of(now + ";" + me));
      }
      settings.write(c, changes);
      return freshest;
    }, bound);
  }

  /**
   * One node's entry: when Fulcrum accepted its token, in the database's milliseconds, and how long it
   * counts by its own node's lease (nodes may differ: a short-lease node took a long-lease node's entry
   * for stale, review-s12c F6).
   */
  private record Entry(long at, long freshMillis) {
    boolean staleAt(long now) {
      return now - at >= freshMillis;
    }
  }

  /** Each node's entry; one that does not say how long it counts (a release before this one's) counts as this node's do. */
  private Map<String, Entry> entries(Connection c) throws SQLException {
    Map<String, Entry> entries = new HashMap<>();
    for (String key : settings.keysStartingWith(c, PREFIX)) {
      settings.get(c, key).ifPresent(value -> {
        String[] fields = value.split(";");
        entries.put(key.substring(PREFIX.length()), new Entry(Long.parseLong(fields[0]),
            fields.length > 1 ? Long.parseLong(fields[1]) : fresh.toMillis()));
      });
    }
    return entries;
  }
}
