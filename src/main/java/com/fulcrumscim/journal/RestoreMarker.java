package com.fulcrumscim.journal;

import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The restore marker, in the setting table: this database was restored from a backup at {@code at},
 * when its journal's newest entry was {@code journalId}. A backup knows nothing of what the identity
 * provider sent after it, deprovisionings included, so while the marker stands the reconciler does
 * not invite a person the restored data alone wants (linked, member gone; or not pushed yet at the
 * backup) unless the identity provider has written about that user since (a journal entry above
 * {@code journalId}: entry ids only grow, whatever the clocks of the nodes say; or an unchanged push,
 * which journals nothing and releases the user) or an operator released that user.
 */
public final class RestoreMarker {
  /** How the reason of every row the restore holds begins: status, resync and the release tell them apart by it. */
  public static final String HELD = "held after a restore: ";

  /** What the marker does, as the commands and the daemon's log say it. */
  public static final String HOLDS = "a user active in the restored data with no Fulcrum member (its link stale, or not"
      + " pushed yet) is held, not invited, until Okta sends that user again or `fulcrum-scim restore release` lets them";

  /** When the restore was recorded, and the journal's newest entry then. */
  public record Mark(Instant at, long journalId) {}

  private static final String PREFIX = "restore.";
  private static final String AT = PREFIX + "at";
  private static final String JOURNAL_ID = PREFIX + "journal_id";
  private static final String RELEASED = PREFIX + "released.";
  /** Set with the marker, gone once a daemon starts writing on it: until then, marking again is the same restore's. */
  private static final String NOT_STARTED = PREFIX + "not_started";

  private final Database db;
  private final SettingStore settings;
  private final JournalStore journal = new JournalStore();

  public RestoreMarker(Database db) {
    this.db = db;
    this.settings = new SettingStore(db);
  }

  public Optional<Mark> current() {
    return db.read(this::current);
  }

  /** {@link #current()} in the caller's transaction. */
  public Optional<Mark> current(Connection c) throws SQLException {
    Optional<String> at = settings.get(c, AT);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Mark(Instant.parse(at.get()), settings.get(c, JOURNAL_ID).map(Long::parseLong).orElse(0L)));
  }

  /**
   * Records a restore made at {@code at}, replacing an earlier marker and its releases (a backup
   * taken during an earlier restore carries them, and they were given for other people).
   */
  public Mark mark(Instant at) {
    Mark mark = new Mark(at, db.read(journal::lastId));
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    settings.keysStartingWith(PREFIX).forEach(k -> values.put(k, Optional.empty()));
    values.put(AT, Optional.of(at.toString()));
    values.put(JOURNAL_ID, Optional.of(Long.toString(mark.journalId())));
    values.put(NOT_STARTED, Optional.of(at.toString()));
    settings.write(values);
    return mark;
  }

  /**
   * The marker, when no daemon has written on this database since it was set: marking again now
   * (`db mark-restored` run a second time) is the same restore, and must leave it as it is. A new
   * marker would hold again the users whose carried entries the first one counted as after it, and
   * drop the releases given since. A backup of a database a daemon ran on never has this: a restore
   * by hand of one is a restore of its own.
   */
  public Optional<Mark> notStarted() {
    return settings.get(NOT_STARTED).flatMap(at -> current().filter(mark -> mark.at().toString().equals(at)));
  }

  /** A daemon starts writing on this database: from now on, marking it again is a restore of its own. */
  public void started() {
    if (settings.get(NOT_STARTED).isPresent()) {
      settings.write(Map.of(NOT_STARTED, Optional.empty()));
    }
  }

  /** Ends the restore's holds for everyone: the marker and every release go. */
  public void clear() {
    Map<String, Optional<String>> values = new LinkedHashMap<>();
    settings.keysStartingWith(PREFIX).forEach(k -> values.put(k, Optional.empty()));
    settings.write(values);
  }

  /** An operator lets the user {@code scimId} be invited again under {@code mark}. */
  public void release(String scimId, Mark mark) {
    settings.put(RELEASED + scimId, mark.at().toString());
  }

  /** Whether a work row's reason ({@code last_error}) is a hold of the restore's. */
  public static boolean isHold(String reason) {
    return reason != null && reason.startsWith(HELD);
  }

  /** The DEAD rows a restore holds ({@link #isHold}): status counts them, `restore release --all` revives them. */
  public static List<WorkItem> heldRows(WorkQueue queue) {
    return queue.list(WorkState.DEAD, Integer.MAX_VALUE).stream().filter(w -> isHold(w.lastError())).toList();
  }

  /** Makes {@code key}'s row due again if a restore holds it DEAD; true when it did. Other DEAD rows stay for `journal retry`. */
  public static boolean reviveHeld(WorkQueue queue, ResourceKey key) {
    return queue.get(key).filter(w -> w.state() == WorkState.DEAD && isHold(w.lastError())).isPresent()
        && queue.revive(key, WorkState.DEAD) == 1;
  }

  /**
   * Whether the user {@code scimId} may be invited again under {@code mark}: the identity provider
   * wrote about it after the restore, or an operator released it.
   */
  public boolean cleared(String scimId, Mark mark) {
    return settings.get(RELEASED + scimId).filter(mark.at().toString()::equals).isPresent()
        || db.read(c -> journal.changedAfter(c, ResourceKey.user(scimId), mark.journalId()));
  }
}
