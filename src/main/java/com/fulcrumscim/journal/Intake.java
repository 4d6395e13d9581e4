package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts SCIM changes. Each accepted change is ONE transaction: the desired-state rows, an
 * append-only journal row and a work row for every affected key; {@code onAccepted} runs after
 * the commit, and the returned resource is what was committed. A change that changes nothing
 * writes nothing and keeps the version. Once a newer release migrated the database, nothing is
 * stored ({@link Database#writeOnKnownSchema}), nor after this node stood still while the request
 * waited ({@link StallWatch}).
 */
public final class Intake {
  private static final Logger log = LoggerFactory.getLogger(Intake.class);
  private final Database db;
  private final WorkQueue queue;
  private final UserStore users;
  private final GroupStore groups;
  private final JournalStore journal;
  private final Tombstones tombstones;
  private final Clock clock;
  private final Runnable onAccepted;
  private final RestoreMarker restore;
  private final ResourceTurns turns = new ResourceTurns();
  private final StallWatch stalls;

  public Intake(Database db, WorkQueue queue, UserStore users, GroupStore groups, JournalStore journal,
      Tombstones tombstones, Clock clock, StallWatch stalls, Runnable onAccepted) {
    this.db = db;
    this.queue = queue;
    this.users = users;
    this.groups = groups;
    this.journal = journal;
    this.tombstones = tombstones;
    this.clock = clock;
    this.onAccepted = onAccepted;
    this.stalls = stalls;
    this.restore = new RestoreMarker(db);
  }

  /** Stores a new resource from a normalized document; 409 when its name is taken. */
  public StoredResource create(EntityType type, ObjectNode doc, IntakeRequest request) {
    ResourceStore store = store(type);
    ResourceKey key = new ResourceKey(type, ResourceIds.next(clock.millis()));
    ResourceStore.Row row = store.row(doc);
    StoredResource created = db.writeOnKnownSchema(c -> {
      DocumentBound.check(key, row, null);
      long now = clock.millis();
      StoredResource inserted = store.insert(c, key.scimId(), row, now);
      accept(c, now, request, key, JournalOp.CREATE, WorkQueue.Access.UNTOLD, List.of());
      return inserted;
    });
    onAccepted.run();
    return created;
  }

  /**
   * Replaces (PUT) or modifies (PATCH) a resource: {@code change} gets the committed resource
   * with its memberships and returns the whole new normalized document. Updates of one resource
   * take turns in this process ({@link ResourceTurns}). In its turn the change is computed on the
   * caller's thread, outside the single writer, so an expensive PATCH delays no one else's write,
   * and written if the resource is still at the version it was computed on. Should another node,
   * or a user's deletion (which touches its groups), have moved the resource on meanwhile, the
   * change is computed again inside its write, on the row locked: nothing can overtake it there,
   * so contention never fails a request, and concurrent changes never lose each other.
   */
  public StoredResource update(EntityType type, String id, LongPredicate ifMatch, JournalOp op,
      Function<StoredResource, ObjectNode> change, IntakeRequest request) {
    Update update = new Update(new ResourceKey(type, id), store(type), ifMatch, op, change, request);
    Result result = inTurn(update);
    if (result.changed()) {
      onAccepted.run();
      if (result.cut() != null) {
        String kind = type.name().toLowerCase(Locale.ROOT);
        log.warn("{} {}: {} (request {}), but the rest of the change was dropped: it would have made the stored {}"
            + " {} bytes of JSON, over the bound of {} bytes (1 MiB). The identity provider still holds what was dropped:"
            + " look for what it adds at every change", kind, update.key().scimId(), result.cut().applied(),
            TerminalText.escape(String.valueOf(request.requestId())), kind, result.cut().asked().bytes(),
            DocumentBound.MAX_BYTES);
      }
    } else if (type == EntityType.USER && !UserFields.of(result.resource().doc()).active()) {
      reviveDeadRemoval(update.key(), request);
    } else if (type == EntityType.USER) {
      pushedAgainAfterRestore(update.key(), request);
    }
    return result.resource();
  }

  /**
   * Stores only the deactivation of user {@code id} ({@link DeactivationAlone}), journaled as
   * {@code request} and queued as a removal, as any deactivation is: for a request that, read alone,
   * deactivates the user, and whose rest was refused ({@code refusal}: why, for the WARN line). On
   * the user as committed when it runs, with {@code ifMatch} checked against it. Empty when the user
   * is inactive already: nothing is stored, and the refusal stands.
   */
  public Optional<StoredResource> deactivationAlone(String id, LongPredicate ifMatch, JournalOp op,
      IntakeRequest request, String refusal) {
    Update update = new Update(ResourceKey.user(id), users, ifMatch, op, DeactivationAlone::of, request);
    Result result = inTurn(update);
    if (!result.changed()) {
      reviveDeadRemoval(update.key(), request);
      return Optional.empty();
    }
    onAccepted.run();
    log.warn("user {}: deactivated (request {}), but the rest of the change was refused: {}. The identity provider"
        + " still holds what was refused: correct it there", id, TerminalText.escape(String.valueOf(request.requestId())),
        TerminalText.oneLine(refusal));
    return Optional.of(result.resource());
  }

  /** {@code update} in its turn: computed outside the writer, or inside it when another write moved the resource on. */
  private Result inTurn(Update update) {
    return turns.inTurn(update.key(), () -> {
      Result outside = computedOutside(update);
      return outside != Result.MOVED_ON ? outside : db.writeOnKnownSchema(c -> computedInside(c, update));
    });
  }

  /** One update as asked: what to change, how, and on which version ({@code ifMatch}). */
  private record Update(ResourceKey key, ResourceStore store, LongPredicate ifMatch, JournalOp op,
      Function<StoredResource, ObjectNode> change, IntakeRequest request) {}

  /**
   * The resource an update answers, and whether it wrote it; {@link #MOVED_ON}: another write got
   * there first. {@code cut}: what the stored-document bound cut the change to, when it did, else null.
   */
  private record Result(StoredResource resource, boolean changed, BoundedChange.Cut cut) {
    static final Result MOVED_ON = new Result(null, false, null);

    static Result unchanged(StoredResource resource) {
      return new Result(resource, false, null);
    }
  }

  /**
   * The change computed outside any transaction, written only if the resource is still at the
   * version it was computed on, else {@link Result#MOVED_ON}.
   */
  private Result computedOutside(Update u) {
    StoredResource old = db.read(c -> existing(c, u.store(), u.key().scimId(), u.ifMatch(), false));
    ObjectNode changed = u.change().apply(old);
    ObjectNode doc = u.key().type() == EntityType.GROUP && !groups.addedMembers(old, changed).isEmpty()
        ? db.read(c -> groups.withoutUnknownMembers(c, old, changed)) : changed;
    if (!u.store().differs(old, doc)) {
      return Result.unchanged(old);
    }
    ResourceStore.Row row = u.store().row(doc);
    boolean activeFlips = activeFlips(u.key().type(), old, doc);
    boolean removal = removesAccess(u.key().type(), old, doc);
    // No read of the old row inside the write, in the one writer every request waits for: the
    // UPDATE's own version check finds a row moved on or deleted.
    return db.writeOnKnownSchema(c -> written(c, u, old, row, activeFlips, removal));
  }

  /**
   * The change computed inside its write, on the row as committed and locked: by the one writer on
   * SQLite, by {@code SELECT ... FOR UPDATE} on PostgreSQL, so no other write can move it on before
   * this one commits. If-Match is checked against that row.
   */
  private Result computedInside(Connection c, Update u) throws SQLException {
    StoredResource old = existing(c, u.store(), u.key().scimId(), u.ifMatch(), true);
    ObjectNode changed = u.change().apply(old);
    ObjectNode doc = u.key().type() == EntityType.GROUP ? groups.withoutUnknownMembers(c, old, changed) : changed;
    if (!u.store().differs(old, doc)) {
      return Result.unchanged(old);
    }
    Result result = written(c, u, old, u.store().row(doc), activeFlips(u.key().type(), old, doc),
        removesAccess(u.key().type(), old, doc));
    if (result == Result.MOVED_ON) {
      throw new IllegalStateException(u.key() + " moved on while this write held its row");
    }
    return result;
  }

  /** Writes {@code asked} over {@code old} with its journal and work rows, if the resource is still at {@code old}'s version. */
  private Result written(Connection c, Update u, StoredResource old, ResourceStore.Row asked, boolean activeFlips,
      boolean removal) throws SQLException {
    long now = clock.millis();
    BoundedChange bounded = BoundedChange.of(u.key(), u.store(), old, asked, removal);
    ResourceStore.Row row = bounded.row();
    if (!u.store().update(c, old, row, now)) {
      return Result.MOVED_ON;
    }
    // After the version check, on the committed old document: a refusal rolls the update back.
    if (bounded instanceof BoundedChange.Refused) {
      throw DocumentBound.refusal(u.key(), row, old);
    }
    StoredResource updated = u.store().updated(c, old, row, now);
    // The groups as committed with this change, not as read before it: adding a member does
    // not move the user's version, so a group that took the user in meanwhile (and was planned
    // without it while it was inactive) passes the version check unseen.
    IntakeRequest request = bounded instanceof BoundedChange.Cut cut
        ? new IntakeRequest(u.request().requestId(), cut.journalBody(), u.request().arrivedNanos()) : u.request();
    // a flip of the active flag that takes nothing away is a reactivation
    WorkQueue.Access access = removal ? WorkQueue.Access.TAKEN_AWAY
        : activeFlips ? WorkQueue.Access.GIVEN_BACK : WorkQueue.Access.UNTOLD;
    accept(c, now, request, u.key(), u.op(), access,
        activeFlips ? updated.references().stream().map(g -> ResourceKey.group(g.id())).toList() : List.of());
    return new Result(updated, true, bounded instanceof BoundedChange.Cut cut ? cut : null);
  }

  /**
   * Deletes a resource; a deleted user also leaves its groups, and those groups are changed too, and
   * leaves its tombstone: its last email finds a member invited again by hand, as a deactivated
   * user's row does.
   *
   * <p>A user's groups are locked before the user, in the order of their ids: a group's change locks
   * the group's row, then its members' ({@link GroupStore#writeRelated}), so a delete that locked the
   * user first and then waited for one of its groups deadlocked with that group's change on
   * PostgreSQL (one of them answered 500 once the retries ran out).
   */
  public void delete(EntityType type, String id, LongPredicate ifMatch, IntakeRequest request) {
    ResourceStore store = store(type);
    db.writeOnKnownSchema(c -> {
      List<String> lockedGroups = type == EntityType.USER ? groups.lockGroupsOf(c, id) : List.of();
      // Read locked: a delete that waited for another node's write checks If-Match against the newer version.
      StoredResource deleted = existing(c, store, id, ifMatch, true);
      long now = clock.millis();
      if (type == EntityType.USER) {
        tombstones.keep(c, id, UserFields.of(deleted.doc()), now); // reads the row's inactive_since: before it goes
      }
      if (!store.delete(c, id, deleted.version())) {
        throw new IllegalStateException(new ResourceKey(type, id) + " moved on while this write held its row");
      }
      List<ResourceKey> affected = new ArrayList<>();
      if (type == EntityType.USER) {
        List<String> left = users.leaveGroups(c, id);
        if (!lockedGroups.containsAll(left)) {
          throw joinedMeanwhile(id);
        }
        groups.touch(c, left, now);
        // queued in id order, as a user's update queues its groups: two writes queueing them in other orders deadlock
        left.stream().sorted().forEach(g -> affected.add(ResourceKey.group(g)));
      }
      accept(c, now, request, new ResourceKey(type, id), JournalOp.DELETE, WorkQueue.Access.TAKEN_AWAY, affected);
      return null;
    });
    onAccepted.run();
  }

  /**
   * A group took the user in between the read of the user's groups and the lock of its row (on
   * PostgreSQL; SQLite's one writer lets nothing in between): that group is not locked, and locking
   * it now, with the user's row held, is the order that deadlocks. Nothing is written: the delete
   * runs again from the start, as a write that lost a serialization race does (SQLState 40001, which
   * the database runs again a few times before giving up).
   */
  private static SQLException joinedMeanwhile(String userId) {
    return new SQLException("user " + userId + " joined a group while its delete locked its groups", "40001");
  }

  /**
   * The identity provider says again that this user is deactivated (an AIW PUT on the next push, an
   * admin pushing again) while the deactivation has run out of retries: the person still has
   * access in Fulcrum, and the request is as good as an operator's {@code journal retry}, so the
   * row is due again with a fresh budget. A row the mass-removal guard HELD stays held: only
   * {@code approve-removals} lets it past. Read first, so the usual repeat writes nothing.
   */
  private void reviveDeadRemoval(ResourceKey key, IntakeRequest request) {
    if (queue.get(key).filter(w -> w.state() == WorkState.DEAD).isPresent() && queue.revive(key, WorkState.DEAD) > 0) {
      log.info("{} {}: deactivation sent again (request {}) while its change was DEAD: due again with a fresh retry budget",
          key.type().name().toLowerCase(Locale.ROOT), key.scimId(), TerminalText.escape(String.valueOf(request.requestId())));
    }
  }

  /**
   * Okta's "re-apply assignments" sends an active user as it was: nothing changes, so nothing is
   * journaled, yet it is the identity provider saying it still assigns the person. While a restore
   * marker stands that releases the user ({@link RestoreMarker}), and a row the restore held is due again.
   */
  private void pushedAgainAfterRestore(ResourceKey key, IntakeRequest request) {
    Optional<RestoreMarker.Mark> mark = restore.current();
    if (mark.isEmpty()) {
      return;
    }
    restore.release(key.scimId(), mark.get());
    if (RestoreMarker.reviveHeld(queue, key)) {
      log.info("user {}: pushed again after the restore (request {}): no longer held, due again", key.scimId(),
          TerminalText.escape(String.valueOf(request.requestId())));
      onAccepted.run();
    }
  }

  /** The resource as committed, read {@code locked} ({@link ResourceStore#locked}) or not; 404 and 412 refused here. */
  private static StoredResource existing(Connection c, ResourceStore store, String id, LongPredicate ifMatch,
      boolean locked) throws SQLException {
    StoredResource old = (locked ? store.locked(c, id) : store.find(c, id, true))
        .orElseThrow(() -> new IntakeRejected(IntakeRejected.Reason.NOT_FOUND, 
            "no " + store.type().name().toLowerCase(Locale.ROOT) + " with id " + id));
    if (!ifMatch.test(old.version())) {
      // The version, not the ETag: a resource's ETag may add a digest of its memberships, which If-Match does not compare.
      throw new IntakeRejected(IntakeRejected.Reason.VERSION_MISMATCH, "If-Match does not name version " + old.version()
          + ", the current one of " + store.type().name().toLowerCase(Locale.ROOT) + " " + id + " (its ETag is W/\""
          + old.version() + "\" or W/\"" + old.version() + ".<digest of its memberships>\"); read it again");
    }
    return old;
  }

  /**
   * Whether the change moves a user's active flag, which re-queues the user's groups: a group's
   * plan adds only its active members, and a user's own reconcile re-queues its groups only when it
   * links a member. A user reactivated while still linked (its removal had not run, or the guard
   * held it) is linked already: without this, a group planned while it was inactive would never get
   * it back. {@code old}'s flag is the committed one: the write checks its version.
   */
  private static boolean activeFlips(EntityType type, StoredResource old, ObjectNode doc) {
    return type == EntityType.USER && UserFields.of(old.doc()).active() != UserFields.of(doc).active();
  }

  /**
   * Whether the change takes access away, which puts its work row ahead of other due work (see
   * {@link WorkQueue#enqueue(Connection, ResourceKey, boolean)}): a user deactivated, a member
   * taken out of a group. {@code old}'s members were read with it; should they have moved on, the
   * write's version check has the change computed again, inside the write, with the newer ones.
   */
  private boolean removesAccess(EntityType type, StoredResource old, ObjectNode doc) {
    return type == EntityType.USER ? UserFields.of(old.doc()).active() && !UserFields.of(doc).active()
        : groups.removesMembers(old, doc);
  }

  private ResourceStore store(EntityType type) {
    return type == EntityType.USER ? users : groups;
  }

  private void accept(Connection c, long now, IntakeRequest request, ResourceKey key, JournalOp op, WorkQueue.Access access,
      List<ResourceKey> alsoAffected) throws SQLException {
    journal.append(c, now, request, key, op);
    queue.enqueue(c, key, access);
    for (ResourceKey other : alsoAffected) {
      queue.nudge(c, other);
    }
    // Last, with the rows locked: a stall before here refuses the change, one after it holds the rows until it commits.
    stalls.checkCommit(request.arrivedNanos());
  }
}
