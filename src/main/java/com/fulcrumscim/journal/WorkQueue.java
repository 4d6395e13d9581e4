package com.fulcrumscim.journal;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work table: one row per entity key. Intake {@link #enqueue}s inside its own transaction
 * (and {@link #nudge}s the keys whose plans its change affects);
 * the reconciler {@link #claim}s due rows and finishes each with exactly one of the finishing
 * calls. A finish whose generation moved while the key ran puts the row back to PENDING, so a
 * change that lands mid-reconcile is never lost (client-go's dirty-while-processing rule); a
 * failure whose generation only nudges moved still counts as one ({@link #finish}).
 *
 * <p>Each claim is marked with a token of its own, and everything that ends or writes for a claim
 * checks it ({@link #stillClaimed}): a node that stalls past its writer lease while another takes
 * over and claims the row again finds its claim gone, and its late writes change nothing, as if it
 * had crashed at the stall (the new holder reconciles the key from state).
 *
 * <p>A row can also be left RUNNING under a claim no process works on any more: a stale node's
 * claim that committed after the new leader's rescue at take-over, and that node died; an outcome
 * a failover to an asynchronous standby lost. So each claim first hands back the RUNNING rows that
 * none of this queue's live claims holds ({@link #claim}): one queue claims per process (the
 * reconciler's, which a resync's settling shares), and only while its process holds the lease. The
 * fence ({@link ClaimFence}) is checked first in that very transaction, so a sweep runs only while
 * this process holds the lease, and a RUNNING row it does not hold is an earlier holder's: one that
 * stalled past its lease (its late writes find their claim gone) or died. A queue built without a
 * fence would sweep the live leader's rows from a stale process, so the one that claims is built
 * with its process's ({@code ReconcileWiring}).
 */
public final class WorkQueue {
  private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);
  private static final String COLUMNS =
      "entity_type, entity_id, state, generation, claimed_generation, claim, attempts, first_failure_at, "
          + "next_attempt_at, last_error, updated_at, removal, held_member";

  /** A user's row (the parameters: 1 for a USER key, its id) whose user is deactivated or deleted. */
  private static final String LEFT = "? = 1 AND NOT EXISTS (SELECT 1 FROM scim_user WHERE id = ? AND active = 1)";

  /**
   * Whether user {@code id} (SQL) may still have a member in Fulcrum that the bridge made or took
   * on: linked (its removal not made yet, failing, held or set aside), or its create in doubt.
   */
  private static String memberKept(String id) {
    return "(EXISTS (SELECT 1 FROM link WHERE entity_type = 'USER' AND scim_id = " + id + ") "
        + "OR EXISTS (SELECT 1 FROM reconcile_intent WHERE entity_type = 'USER' AND scim_id = " + id + "))";
  }

  /**
   * A new row due now; what changes in a key's existing row follows (the old row's columns are
   * qualified: PostgreSQL calls a bare name ambiguous with excluded's). Read in the caller's
   * transaction, after the change it queues: {@code leaver}, a user's row whose user is deactivated
   * or deleted, what the mass-removal guard finds its pending removals by (RemovalGuard); and a
   * removal, asked for or not, when such a user may still have a member in Fulcrum. Okta and Entra
   * send profile pushes for deactivated users, and a nudge may queue one: with the flag left unset,
   * the removal such a row's plan makes (of a member whose removal was set aside, or failed before
   * its plan) was claimed behind a backlog of creates, and went unseen by the removal gauges and a
   * restore's carry forward.
   */
  private static final String NEW_ROW =
      "INSERT INTO work (entity_type, entity_id, state, generation, attempts, next_attempt_at, created_at, updated_at, removal, "
          + "leaver) VALUES (?, ?, 'PENDING', 1, 0, ?, ?, ?, CASE WHEN ? = 1 OR " + LEFT + " AND " + memberKept("?")
          + " THEN 1 ELSE 0 END, CASE WHEN " + LEFT + " THEN 1 ELSE 0 END) ON CONFLICT (entity_type, entity_id) DO UPDATE SET ";

  private final Database db;
  private final Clock clock;
  /** Claim tokens: unguessable is not needed, only distinct from every earlier claim of a row. */
  private final SecureRandom tokens = new SecureRandom();
  private final ClaimFence fence;
  /**
   * The rows this queue claimed that have not ended yet (finished, handed back, or found another
   * claim's): a worker may be applying any of them, so no sweep hands them back. One that ends in
   * doubt (its outcome's commit failed) stays until the reconciler hands it back.
   */
  private final Set<Held> held = ConcurrentHashMap.newKeySet();
  /** Claims run one at a time, so a sweep never runs between another claim's commit and its rows joining {@link #held}. */
  private final Object claiming = new Object();

  /** A claimed row: its key under one claim's token. */
  private record Held(ResourceKey key, long claim) {
    static Held of(WorkItem item) {
      return new Held(item.key(), item.claim());
    }
  }

  /** A queue that claims without a check: for the rows' other uses, and a process that is the only writer by other means. */
  public WorkQueue(Database db, Clock clock) {
    this(db, clock, ClaimFence.NONE);
  }

  /** Claims are made only while {@code fence} holds, checked in each claim's transaction. */
  public WorkQueue(Database db, Clock clock, ClaimFence fence) {
    this.db = db;
    this.clock = clock;
    this.fence = fence;
  }

  /**
   * Marks {@code key} changed: due now, a fresh retry budget, but for an unfinished removal that
   * stays one ({@link #REMOVAL_UNDER_WAY}). Call inside the intake transaction.
   * {@code removal}: the change takes access away; the row is then claimed before other due work
   * until a reconcile applies it. A later change that does not take access away leaves it so:
   * intake cannot tell whether the removal still stands (a member taken out of a group stays out
   * when another is put in), the reconcile plans from state, and claiming early costs nothing. So
   * the flag can outlive its removal: whether a change given up on still takes access away is its
   * reconcile's to say ({@link Fate.Dead}). A user reactivated is the exception intake can tell
   * ({@link Access#GIVEN_BACK}). Any change of a user deactivated or deleted whose member may still
   * be in Fulcrum is a removal, {@code removal} or not ({@link #NEW_ROW}): its plan removes that member.
   */
  public void enqueue(Connection c, ResourceKey key, boolean removal) throws SQLException {
    enqueue(c, key, removal ? Access.TAKEN_AWAY : Access.UNTOLD);
  }

  /** What an identity provider's change does to access, for the removal flag of its key's row. */
  public enum Access {
    /** A user deactivated or deleted, members taken out of a group. */
    TAKEN_AWAY,
    /**
     * A user reactivated (or carried forward active by a restore): whatever removal the row still
     * carries no longer stands. Kept, a removal that had failed counted the person as keeping access
     * (status, the retrying and dead removal gauges, a DEPROVISIONING line) once the reactivation's
     * own attempt failed before it planned.
     */
    GIVEN_BACK,
    /** Anything else, or intake cannot tell: the flag stays as it was. */
    UNTOLD
  }

  /** {@link #enqueue(Connection, ResourceKey, boolean)}, the row's removal flag as {@code access} says. */
  public void enqueue(Connection c, ResourceKey key, Access access) throws SQLException {
    long now = clock.millis();
    boolean removal = access == Access.TAKEN_AWAY;
    if (key.type() == EntityType.GROUP) {
      upsert(c, key, ENQUEUE_GROUP, removal, removal ? now : now + GROUP_SETTLE.toMillis(), now);
    } else {
      upsert(c, key, access == Access.GIVEN_BACK ? ENQUEUE_GIVEN_BACK : ENQUEUE, removal, now, now);
    }
  }

  /**
   * How long a group's row waits after Okta's last change to it that takes no access away: Okta
   * pushes a big group as a create and then PATCHes of a few hundred members each, and a row due at
   * once was claimed between them, each chunk its own Fulcrum change (issue 12). Each such change
   * moves the wait on, so the chunks land in one claim, and one call; never past
   * {@link #GROUP_SETTLE_AT_MOST} after the oldest change not yet in Fulcrum was acknowledged. A
   * change that takes access away (members out, the group deleted), or a row still carrying one,
   * is due at once, and carries the waiting adds with it: the plan is made from state.
   */
  public static final Duration GROUP_SETTLE = Duration.ofSeconds(3);
  /** The longest an add to a group waits for Okta's next chunk ({@link #GROUP_SETTLE}). */
  public static final Duration GROUP_SETTLE_AT_MOST = Duration.ofSeconds(30);

  /**
   * A row settled DONE or SKIPPED holds 0 (see finish), so this keeps every removal not yet applied.
   * A leaver's row whose change stopped on a member (held, DEAD keeping access, set aside) is one
   * too, as {@link #NEW_ROW} says of a linked one: a member its plan adopts to remove
   * (users.adopt_existing) is held before any link is written.
   */
  private static final String STILL_A_REMOVAL = "CASE WHEN excluded.removal = 1 OR excluded.leaver = 1 "
      + "AND work.held_member IS NOT NULL THEN 1 ELSE work.removal END";
  /**
   * An unfinished removal, failing or held back by a rate limit or neither yet: its attempts and
   * first failure, so its retry budget, run on through Okta's changes for as long as the row stays a
   * removal. A leaver's profile push (Entra sends them for disabled users) or a group's churn leaves
   * the member to remove as it was, and nothing Okta sends mends Fulcrum's errors or lifts its
   * limit: restarting at each change kept such a row from ever going DEAD (review-s14b F3), and
   * dropped a failing removal from status, the retrying removals gauge and its alert's clock until
   * its next attempt failed (review-s16a F2). A user reactivated ({@link Access#GIVEN_BACK}) is no
   * removal any more, and its budget starts afresh, as any other change's does.
   */
  private static final String REMOVAL_UNDER_WAY =
      "work.state IN ('PENDING', 'RUNNING', 'RETRYING') AND work.removal = 1";
  private static final String DUE_NOW_UNLESS_RUNNING =
      "CASE WHEN work.state = 'RUNNING' THEN work.next_attempt_at ELSE excluded.next_attempt_at END";
  private static final String ENQUEUE = enqueueSetting(STILL_A_REMOVAL, DUE_NOW_UNLESS_RUNNING);
  private static final String ENQUEUE_GIVEN_BACK = enqueueSetting("0", DUE_NOW_UNLESS_RUNNING);
  /**
   * A group's: due as bound ({@link #GROUP_SETTLE}), at once while the row stays a removal, and no
   * later than {@link #GROUP_SETTLE_AT_MOST} after its oldest change not yet applied. Written on a
   * RUNNING row too: a finish whose generation moved keeps the wait ({@link #finish}). A row already
   * due stays due: the bridge's own look at a group still listing a leaver whose removal failed
   * (a nudge, a retry) takes access away without the removal flag, and Okta's adds to that group
   * must not push it back (review-s16e F1); a claim at the next cycle carries the adds anyway.
   */
  private static final String ENQUEUE_GROUP = enqueueSetting(STILL_A_REMOVAL,
      "CASE WHEN " + STILL_A_REMOVAL + " = 1 THEN excluded.updated_at "
          + "WHEN work.state IN ('PENDING', 'RETRYING') AND work.next_attempt_at <= excluded.updated_at "
          + "THEN work.next_attempt_at "
          + "WHEN work.state IN ('DONE', 'SKIPPED') OR excluded.next_attempt_at < work.created_at + "
          + GROUP_SETTLE_AT_MOST.toMillis() + " THEN excluded.next_attempt_at "
          + "ELSE work.created_at + " + GROUP_SETTLE_AT_MOST.toMillis() + " END");

  private static String enqueueSetting(String removal, String due) {
    String runsOn = REMOVAL_UNDER_WAY + " AND " + removal + " = 1";
    return NEW_ROW + "generation = work.generation + 1, "
        // the claim's generation is superseded by Okta's change, not merely nudged (see finish)
        + "  claimed_generation = NULL, "
        + "  state = CASE WHEN work.state = 'RUNNING' THEN 'RUNNING' ELSE 'PENDING' END, "
        + "  next_attempt_at = " + due + ", "
        + "  attempts = CASE WHEN " + runsOn + " THEN work.attempts ELSE 0 END, "
        + "  first_failure_at = CASE WHEN " + runsOn + " THEN work.first_failure_at END, "
        + "  updated_at = excluded.updated_at, "
        + "  removal = " + removal + ", "
        // a user's row changes only with an enqueue of its key (intake, a restore's carry), never a nudge
        + "  leaver = excluded.leaver, "
        // created_at: when the oldest change not yet in Fulcrum was acknowledged (see done); a
        // skipped row had nothing left to apply, as a done one
        + "  created_at = CASE WHEN work.state IN ('DONE', 'SKIPPED') THEN excluded.created_at ELSE work.created_at END";
  }

  /** {@link #enqueue(Connection, ResourceKey, boolean)} of a change that is not a removal, in a transaction of its own. */
  public void enqueue(ResourceKey key) {
    db.write(c -> {
      enqueue(c, key, false);
      return null;
    });
  }

  /**
   * Asks for another reconcile of {@code key} because something its plan depends on changed, not
   * its own desired state (a member it waited for is linked; resync saw drift): due now, its retry
   * budget running on. A row waiting for an operator (dead, held) is left to the operator: reviving
   * it would restart a failing change's budget every night, so it never went dead, and would let a
   * held removal past the guard once its window had passed. A skipped row (policy: the token's
   * owner) runs again as a done one does: what the policy saw may have changed (a new token).
   */
  public void nudge(Connection c, ResourceKey key) throws SQLException {
    long now = clock.millis();
    upsert(c, key, NUDGE, false, now, now);
  }

  private static final String NUDGE = NEW_ROW + "generation = work.generation + 1, "
        + "  state = CASE WHEN work.state IN ('DONE', 'SKIPPED') THEN 'PENDING' ELSE work.state END, "
        + "  next_attempt_at = CASE WHEN work.state = 'RUNNING' THEN work.next_attempt_at ELSE excluded.next_attempt_at END, "
        + "  updated_at = excluded.updated_at, "
        + "  removal = " + STILL_A_REMOVAL + ", "
        + "  created_at = CASE WHEN work.state IN ('DONE', 'SKIPPED') THEN excluded.created_at ELSE work.created_at END "
        + "WHERE work.state IN ('PENDING', 'RUNNING', 'RETRYING', 'DONE', 'SKIPPED')";

  /** Runs {@code upsert} ({@link #ENQUEUE} or {@link #NUDGE}): a new row due {@code due}, or the key's row changed as it says. */
  private static void upsert(Connection c, ResourceKey key, String upsert, boolean removal, long due, long now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(upsert)) {
      ps.setString(1, key.type().name());
      ps.setString(2, key.scimId());
      ps.setLong(3, due);
      ps.setLong(4, now);
      ps.setLong(5, now);
      ps.setInt(6, removal ? 1 : 0);
      int user = key.type() == EntityType.USER ? 1 : 0;
      // the removal's: the user left, and a member kept
      ps.setInt(7, user);
      ps.setString(8, key.scimId());
      ps.setString(9, key.scimId());
      ps.setString(10, key.scimId());
      // the leaver's
      ps.setInt(11, user);
      ps.setString(12, key.scimId());
      ps.executeUpdate();
    }
  }

  /**
   * {@link #nudge(Connection, ResourceKey)} in a transaction of its own (resync); {@code removal}:
   * the drift it closes takes access away, so the row goes ahead of other due work, as an Okta
   * removal's does ({@link #enqueue(Connection, ResourceKey, boolean)}).
   */
  public void nudge(ResourceKey key, boolean removal) {
    db.write(c -> {
      long now = clock.millis();
      upsert(c, key, NUDGE, removal, now, now);
      return null;
    });
  }

  /**
   * Claims up to {@code limit} due rows, moving them to RUNNING: the due removals first, oldest due
   * first, then the rest in due order. Nothing while the fence does not hold. First, in the same
   * transaction, RUNNING rows that no live claim of this queue holds are due again (see the class
   * comment), so they are claimed at once with the rest.
   */
  public List<WorkItem> claim(int limit) {
    long now = clock.millis();
    long token = tokens.nextLong();
    synchronized (claiming) {
      Set<Held> live = Set.copyOf(held);
      Claimed claimed = db.write(c -> {
        if (!fence.holds(c)) {
          return new Claimed(List.of(), 0);
        }
        int orphans = rescueOrphans(c, live, now);
        List<WorkItem> rows = claim(c, 1, token, now, limit);
        if (rows.size() < limit) {
          rows.addAll(claim(c, 0, token, now, limit - rows.size()));
        }
        return new Claimed(rows, orphans);
      });
      claimed.rows().forEach(item -> held.add(Held.of(item)));
      if (claimed.orphans() > 0) {
        log.warn("{} changes were RUNNING under a claim that no live worker holds (a previous writer's claim that "
            + "committed after this node took over, or an outcome a database failover lost); they run again",
            claimed.orphans());
      }
      return claimed.rows();
    }
  }

  private record Claimed(List<WorkItem> rows, int orphans) {}

  /**
   * Makes due again the RUNNING rows under claims not in {@code live}. A row a writer has locked (on
   * PostgreSQL, a stale node's write for its claim) is skipped, for a later claim: taking it from
   * under that write would only make the write wait. The read is of the RUNNING rows only (an index
   * range of {@code work_due}), so a cycle pays little for it.
   */
  private int rescueOrphans(Connection c, Set<Held> live, long now) throws SQLException {
    List<Held> orphans = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT entity_type, entity_id, COALESCE(claim, 0) FROM work WHERE state = 'RUNNING'");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Held row = new Held(new ResourceKey(EntityType.valueOf(rs.getString(1)), rs.getString(2)), rs.getLong(3));
        if (!live.contains(row)) {
          orphans.add(row);
        }
      }
    }
    int rescued = 0;
    for (Held orphan : orphans) {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE work SET state = CASE WHEN attempts > 0 THEN 'RETRYING' ELSE 'PENDING' END, updated_at = ? "
              + "WHERE (entity_type, entity_id) IN (SELECT entity_type, entity_id FROM work WHERE entity_type = ? "
              + "AND entity_id = ? AND state = 'RUNNING' AND COALESCE(claim, 0) = ?" + Dialect.of(c).skipLocked() + ")")) {
        ps.setLong(1, now);
        ps.setString(2, orphan.key().type().name());
        ps.setString(3, orphan.key().scimId());
        ps.setLong(4, orphan.claim());
        rescued += ps.executeUpdate();
      }
    }
    return rescued;
  }

  private static List<WorkItem> claim(Connection c, int removal, long token, long now, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(claimSql(Dialect.of(c)))) {
      ps.setLong(1, token);
      ps.setLong(2, now);
      ps.setInt(3, removal);
      ps.setLong(4, now);
      ps.setInt(5, limit);
      return readAll(ps);
    }
  }

  /**
   * The claim of one kind of row (removals, or the rest): {@code work_claim_order} holds only
   * claimable rows, by kind and due time, so each is one index range that SQLite reads only as far
   * as it takes (on {@code work_due} it sorted every due row, on the writer thread, per claim).
   */
  static String claimSql(Dialect dialect) {
    return "UPDATE work SET state = 'RUNNING', claimed_generation = generation, claim = ?, updated_at = ? "
        + "WHERE (entity_type, entity_id) IN (SELECT entity_type, entity_id FROM "
        + dialect.tableUsingIndex("work", "work_claim_order") + " WHERE removal = ? AND state IN ('PENDING', 'RETRYING') "
        + "AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?" + dialect.skipLocked() + ") RETURNING " + COLUMNS;
  }

  /**
   * How a claimed row ends. Each maps to one state; {@link #record} writes it together with the
   * keys the reconcile affected.
   */
  public sealed interface Fate {
    /** The desired state is reached for the claimed generation. */
    record Done() implements Fate {}

    /**
     * Try again at {@code at}; {@code spendsAttempt} false for waits that are nobody's failure (429, dependency).
     * {@code removal}: whether the change still takes access away, written to the row as {@link Dead}'s
     * is: a failing removal counts as one (status, metrics) while its people keep access, and a group
     * waiting on a leaver's removal ends a DEAD deprovisioning should it end DEAD meanwhile.
     */
    record Retry(Instant at, String error, boolean spendsAttempt, boolean removal) implements Fate {}

    /**
     * A removal Fulcrum's rate limit (or the call budget) held back, to try again at {@code at}: no
     * attempt spent, as a burst of 429s must not use attempts up, yet the retry budget runs from its
     * first hold (a removal must not wait on a limit for ever, unseen), and status counts it as a
     * removal waiting, {@code error} its reason.
     */
    record HeldBack(Instant at, String error) implements Fate {}

    /**
     * Give up on this generation: visible in status until an operator retries or skips it.
     * {@code removal}: the change given up on still takes access away (its people keep access until
     * an operator acts); written to the row, whose flag may have stayed from a removal a later change
     * undid (see {@link #enqueue(Connection, ResourceKey, boolean)}). {@code keptBy}: the Fulcrum
     * member through which a person Okta took away keeps access (null: none named), recorded as the
     * row's held member unless it has one already: the member its change first stopped on binds it
     * across retries, so that a later plan finding another member under the address (a new hire's,
     * invited by hand) is held or refused rather than taken for the leaver's (review-s8g F1).
     */
    record Dead(String reason, boolean removal, String keptBy) implements Fate {
      public Dead(String reason, boolean removal) {
        this(reason, removal, null);
      }
    }

    /**
     * A guard holds the row before any write; released by an operator, whose approval covers the
     * change to one member alone: {@code memberId}, the one the plan names now (null: none named),
     * is recorded as the row's binding the first time it is held, and as only named after that.
     */
    record Hold(String reason, String memberId) implements Fate {}

    /** Settled by policy without a change ({@link WorkState#SKIPPED}); {@code reason} says why. */
    record Skipped(String reason) implements Fate {}

    /** Hands the row back untouched (reconciler paused or shutting down). */
    record Release() implements Fate {}
  }

  /**
   * What recording a claim's end wrote: {@code fate}, which the row {@code took}, or not when a
   * newer Okta change arrived while the key ran (the row went back to PENDING: the key runs again,
   * and nobody must hear of a fate it no longer has); for a {@link Fate.Done} the row took, when
   * the oldest change it applied was acknowledged to Okta.
   */
  public record Finished(Fate fate, boolean took, Optional<Instant> acknowledged) {}

  /**
   * The desired state is reached for the claimed generation. Returns when the oldest change this
   * applied was acknowledged to Okta; empty when a newer change arrived meanwhile (the row runs again).
   */
  public Optional<Instant> done(WorkItem item) {
    return record(item, new Fate.Done(), List.of());
  }

  public void retry(WorkItem item, Instant at, String error, boolean spendsAttempt) {
    record(item, new Fate.Retry(at, error, spendsAttempt, item.removal()), List.of());
  }

  /** Gives up on the claimed generation, its row's removal flag as it was. */
  public void dead(WorkItem item, String reason) {
    record(item, new Fate.Dead(reason, item.removal()), List.of());
  }

  public void hold(WorkItem item, String reason) {
    record(item, new Fate.Hold(reason, null), List.of());
  }

  /**
   * Finishes a claimed row and nudges {@code affected} (keys whose plans depend on what this
   * reconcile changed) in one transaction: a crash between the two would lose the follow-up work.
   * For {@link Fate.Done}, returns when the oldest change it applied was acknowledged to Okta;
   * empty for other fates and when a newer change arrived meanwhile (the row runs again).
   */
  public Optional<Instant> record(WorkItem item, Fate fate, Collection<ResourceKey> affected) {
    try {
      Optional<Instant> acknowledged = db.write(recording(item, fate, affected, Wake.NOBODY)).acknowledged();
      held.remove(Held.of(item));
      return acknowledged;
    } catch (ClaimLost lost) {
      held.remove(Held.of(item));
      throw lost;
    }
  }

  /**
   * {@link #record} without waiting for its commit, with {@code also} in the same transaction (what
   * the reconcile wrote besides its outcome), and a leaver's groups woken as {@code wake} says
   * ({@link #wakeGroupsWaitingOn}): the reconciler goes on to its next key while the
   * outcome commits with the next group. The row stays RUNNING until then, so nothing claims it.
   * The row is finished first: a lost claim rolls back before anything else is written, and on
   * PostgreSQL the row is locked before the key's other rows, in the order every claimed write takes.
   */
  public CompletableFuture<Finished> recordLater(WorkItem item, Fate fate, Collection<ResourceKey> affected,
      Wake wake, Database.Work<?> also) {
    Database.Work<Finished> recording = recording(item, fate, affected, wake);
    CompletableFuture<Finished> written = db.writeLater(c -> {
      Finished finished = recording.run(c);
      also.run(c);
      return finished;
    });
    written.whenComplete((finished, failure) -> {
      if (failure == null || unwrapped(failure) instanceof ClaimLost) {
        held.remove(Held.of(item));
      }
    });
    return written;
  }

  private static Throwable unwrapped(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private Database.Work<Finished> recording(WorkItem item, Fate fate, Collection<ResourceKey> affected, Wake wake) {
    return c -> {
      Optional<Instant> took;
      if (fate instanceof Fate.Retry r && r.spendsAttempt()) {
        // The time is bound, not written into the SQL: text that differs on every failure would be a
        // new statement each time, pushing a hot one out of the writer's statement cache.
        took = finish(c, item, "RETRYING", r.at().toEpochMilli(), true,
            "attempts = attempts + 1, first_failure_at = COALESCE(first_failure_at, ?), last_error = ?, removal = ?",
            clock.millis(), r.error(), r.removal() ? 1L : 0L);
      } else if (fate instanceof Fate.HeldBack r) {
        took = finish(c, item, "RETRYING", r.at().toEpochMilli(), true,
            "first_failure_at = COALESCE(first_failure_at, ?), last_error = ?, removal = 1", clock.millis(), r.error());
      } else if (fate instanceof Fate.Retry r) {
        took = finish(c, item, "RETRYING", r.at().toEpochMilli(), true, "last_error = ?, removal = ?", r.error(),
            r.removal() ? 1L : 0L);
      } else if (fate instanceof Fate.Dead d) {
        // The flag is written only where the row takes DEAD: a newer Okta change (a deactivation
        // arriving meanwhile) puts it back to PENDING with the flag its enqueue set.
        took = finish(c, item, "DEAD", 0, true, "attempts = attempts + 1, last_error = ?, removal = ?, "
            + "held_member = COALESCE(held_member, ?)", d.reason(), d.removal() ? 1L : 0L, d.keptBy());
      } else if (fate instanceof Fate.Hold h) {
        // The member the change was first held on stays its binding: a plan naming another one since
        // is held again, and that one is only named (RemovalGuard), or it would bind the change to
        // whatever the address finds later (review-s9a F1). Both sides read the row as it was.
        took = finish(c, item, "HELD", 0, true, "last_error = ?, held_member = COALESCE(held_member, ?), "
            + "named_member = CASE WHEN held_member IS NULL OR held_member = ? THEN NULL ELSE ? END",
            h.reason(), h.memberId(), h.memberId(), h.memberId());
      } else if (fate instanceof Fate.Skipped s) {
        took = finish(c, item, "SKIPPED", 0, false, "attempts = 0, first_failure_at = NULL, removal = 0, held_member = NULL, named_member = NULL, "
            + "last_error = ?", s.reason());
      } else if (fate instanceof Fate.Release) {
        if (release(c, item) == 0) {
          throw new ClaimLost(item.key());
        }
        took = Optional.empty();
      } else {
        // a hold's member binds the change it held alone (RemovalGuard): the next change is bound afresh
        took = finish(c, item, "DONE", 0, false, "attempts = 0, first_failure_at = NULL, removal = 0, held_member = NULL, named_member = NULL, "
            + "last_error = NULL");
      }
      for (ResourceKey key : affected) {
        nudge(c, key);
      }
      if (item.key().type() == EntityType.USER && took.isPresent() && wake.leaver()) {
        wakeGroupsWaitingOn(c, item.key().scimId(), wake.groupsLeft());
      }
      return new Finished(fate, took.isPresent(), fate instanceof Fate.Done ? took : Optional.empty());
    };
  }

  /**
   * Whom a user's outcome wakes ({@link #wakeGroupsWaitingOn}). {@code leaver}: the reconcile did not
   * read the user active (deactivated, deleted, or not read), whatever the outcome; a user it read
   * active (most rows, an initial import all of them) wakes nothing and costs no statement: a group
   * waits only on an inactive user's row, and a deactivation after that read moves the row's
   * generation, so that outcome is not the row's and wakes nothing either (the row runs again).
   * {@code groupsLeft}: the Fulcrum groups that listed the member the reconcile removed.
   */
  public record Wake(boolean leaver, Set<String> groupsLeft) {
    /** Any other key's outcome, or an active user's. */
    public static final Wake NOBODY = new Wake(false, Set.of());

    public Wake {
      groupsLeft = Set.copyOf(groupsLeft);
    }
  }

  /**
   * Wakes the groups that may wait on a leaver's row, which has just ended ({@code userId}'s, the
   * user deactivated or deleted): the rows of the groups Okta lists the user in, and of those whose
   * Fulcrum copy listed the member its reconcile removed ({@code groupsLeft}, Fulcrum ids: Okta may
   * have taken the user out of them already). A group whose plan leaves a leaver to its own removal
   * from the organization looks again by itself only after a while (the reconciler's
   * {@code LEAVER_WAIT}); once that removal's row ends, whatever its outcome (done, failing, DEAD,
   * HELD, set aside), the group plans differently (the member gone, or the person taken out by the
   * group itself), and need not sleep its wait out: every deactivation cost a group the whole wait.
   * A waiting row is due now and a running one runs again as its run ends (its generation moved, as a
   * nudge moves it), its budget, removal flag and settle wait as they were. Only existing rows, and
   * none waiting for an operator or for Okta's next chunk (PENDING). In the outcome's transaction, so
   * a crash loses neither; on PostgreSQL the group's row lock orders this against the group's own
   * outcome, which then sees the moved generation (or is the row made due here).
   */
  private void wakeGroupsWaitingOn(Connection c, String userId, Set<String> groupsLeft) throws SQLException {
    long now = clock.millis();
    List<String> left = List.copyOf(groupsLeft);
    try (PreparedStatement ps = c.prepareStatement(WAKE_GROUPS)) {
      // One statement text (the writer's statement cache keeps it): the groups left go in chunks
      // padded with NULL, which matches nothing; only the first chunk looks at Okta's groups too.
      for (int from = 0; from == 0 || from < left.size(); from += WAKE_CHUNK) {
        int i = 1;
        ps.setLong(i++, now);
        ps.setLong(i++, now);
        ps.setLong(i++, now);
        ps.setString(i++, from == 0 ? userId : null);
        for (int k = from; k < from + WAKE_CHUNK; k++) {
          ps.setString(i++, k < left.size() ? left.get(k) : null);
        }
        ps.setString(i, userId);
        ps.executeUpdate();
      }
    }
  }

  /** The Fulcrum groups one {@link #WAKE_GROUPS} binds: more than a person is in, as a rule. */
  private static final int WAKE_CHUNK = 16;
  private static final String WAKE_GROUPS = "UPDATE work SET generation = generation + 1, updated_at = ?, "
      + "next_attempt_at = CASE WHEN state = 'RUNNING' OR next_attempt_at <= ? THEN next_attempt_at ELSE ? END "
      + "WHERE entity_type = 'GROUP' AND state IN ('RUNNING', 'RETRYING') "
      + "AND (entity_id IN (SELECT group_id FROM scim_group_member WHERE user_id = ?) "
      + "OR entity_id IN (SELECT scim_id FROM link WHERE entity_type = 'GROUP' AND fulcrum_id IN "
      + Dialect.placeholders(WAKE_CHUNK) + ")) AND NOT EXISTS (SELECT 1 FROM scim_user WHERE id = ? AND active = 1)";

  /** Hands a claimed row back untouched; nothing to do once the claim passed on. */
  public void release(WorkItem item) {
    db.write(c -> release(c, item));
    held.remove(Held.of(item));
  }

  private int release(Connection c, WorkItem item) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE work SET state = CASE WHEN attempts > 0 THEN 'RETRYING' ELSE 'PENDING' END, updated_at = ? "
            + "WHERE entity_type = ? AND entity_id = ? AND state = 'RUNNING' AND claim = ?")) {
      ps.setLong(1, clock.millis());
      ps.setString(2, item.key().type().name());
      ps.setString(3, item.key().scimId());
      ps.setLong(4, item.claim());
      return ps.executeUpdate();
    }
  }

  /**
   * Returns the row's created_at when it took {@code state}; empty when it went back to PENDING
   * instead. Throws {@link ClaimLost} (rolling back the caller's transaction) when the row is no
   * longer this claim's. {@code extra} binds {@code extraSet}'s parameters in order: a Long or a String.
   *
   * <p>{@code failure}: the attempt failed (retry, dead, held). A failure stands when only nudges
   * moved the generation, a retry then due at once: a nudge asks for another plan, it does not undo
   * what this one met. Erasing it instead left no error to see and no budget running, so a failing
   * key nudged on every attempt (a group as each member links) retried for ever without backoff.
   */
  private Optional<Instant> finish(Connection c, WorkItem item, String state, long nextAt, boolean failure, String extraSet,
      Object... extra) throws SQLException {
    long now = clock.millis();
    // Only the generation that was claimed finishes (or, for a failure, one only nudges moved:
    // Okta's changes clear claimed_generation). The check is in the UPDATE itself: on PostgreSQL an
    // intake on another node may bump the generation at any moment, and the row lock makes this
    // UPDATE see a bump committed before it (and a later bump see its result).
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE work SET state = ?, updated_at = ?, "
            + "next_attempt_at = CASE WHEN ? = 0 THEN next_attempt_at WHEN generation = ? THEN ? ELSE ? END, "
            + extraSet + " WHERE entity_type = ? AND entity_id = ? AND state = 'RUNNING' AND claim = ? "
            + "AND (generation = ? OR (? = 1 AND claimed_generation = ?)) RETURNING created_at")) {
      int i = 1;
      ps.setString(i++, state);
      ps.setLong(i++, now);
      ps.setLong(i++, nextAt);
      ps.setLong(i++, item.claimedGeneration());
      ps.setLong(i++, nextAt);
      ps.setLong(i++, now);
      for (Object value : extra) {
        if (value instanceof Long l) {
          ps.setLong(i++, l);
        } else {
          ps.setString(i++, (String) value);
        }
      }
      ps.setString(i++, item.key().type().name());
      ps.setString(i++, item.key().scimId());
      ps.setLong(i++, item.claim());
      ps.setLong(i++, item.claimedGeneration());
      ps.setInt(i++, failure ? 1 : 0);
      ps.setLong(i, item.claimedGeneration());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return Optional.of(Instant.ofEpochMilli(rs.getLong(1)));
        }
      }
    }
    // A generation that moved while the key ran means newer desired state, or a nudge after an
    // attempt that did not fail: run again now, or, for a group whose new change only adds, once it
    // has settled (GROUP_SETTLE: Okta's next chunk may be on its way). After a failure the budget is
    // left as it is: a new Okta change set it when it came (enqueue), a nudge must not. After an
    // attempt that did not fail it starts afresh: what a change coming during a removal carried over
    // (REMOVAL_UNDER_WAY) was that removal's, which has just gone (review-s16h F3).
    try (PreparedStatement moved = c.prepareStatement(
        "UPDATE work SET state = 'PENDING', next_attempt_at = CASE WHEN entity_type = 'GROUP' AND removal = 0 "
            + "AND next_attempt_at > ? THEN next_attempt_at ELSE ? END, updated_at = ?, "
            + "attempts = CASE WHEN ? = 1 THEN attempts ELSE 0 END, "
            + "first_failure_at = CASE WHEN ? = 1 THEN first_failure_at END "
            + "WHERE entity_type = ? AND entity_id = ? AND state = 'RUNNING' AND claim = ? AND generation <> ?")) {
      moved.setLong(1, now);
      moved.setLong(2, now);
      moved.setLong(3, now);
      moved.setInt(4, failure ? 1 : 0);
      moved.setInt(5, failure ? 1 : 0);
      moved.setString(6, item.key().type().name());
      moved.setString(7, item.key().scimId());
      moved.setLong(8, item.claim());
      moved.setLong(9, item.claimedGeneration());
      if (moved.executeUpdate() == 0) {
        throw new ClaimLost(item.key());
      }
    }
    return Optional.empty();
  }

  /**
   * A check to run first in each transaction that writes for {@code item}'s claim (the reconcile's
   * intent, link and unlink): it throws {@link ClaimLost}, rolling the transaction back, once the
   * row is no longer RUNNING under this claim. On PostgreSQL it also locks the row until the
   * commit, so a node taking over claims it only after this write, never beside it.
   */
  public Database.Work<Void> stillClaimed(WorkItem item) {
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM work WHERE entity_type = ? AND entity_id = ? "
          + "AND state = 'RUNNING' AND claim = ?" + Dialect.of(c).keepSelected())) {
        ps.setString(1, item.key().type().name());
        ps.setString(2, item.key().scimId());
        ps.setLong(3, item.claim());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            // the claim has ended for good (its token is never claimed again): nothing else forgets it
            // when the reconcile that learns it here ends dropped, with no outcome recorded
            held.remove(Held.of(item));
            throw new ClaimLost(item.key());
          }
        }
      }
      return null;
    };
  }

  /** How many of its claims this queue holds as not ended: for the tests that show none is kept past its end. */
  int claimsHeld() {
    return held.size();
  }

  /**
   * At a take-over: rows an earlier writer left RUNNING are due again. Returns how many: 0 when
   * {@code fence} (the lease just taken) no longer holds, checked first in the same transaction. A
   * process that stalled between its take-over and this rescue while another took the lease over
   * would otherwise hand that one's RUNNING rows back while its workers apply them, and it would
   * claim them a second time.
   *
   * <p>It is the claim's own sweep, run once at once (review-s6b F3, F5): rows this queue's live
   * claims hold are left to their workers, whose outcomes end them (a process that takes its own
   * lapsed lease again still applies its earlier term's claims: handed back, a second cycle would
   * claim them beside those workers); and a row a stale writer has locked is skipped, for the next
   * claim's sweep once its lock goes, instead of the take-over waiting on it past its own lease.
   * So a process rescues through the queue its reconciler claims with.
   */
  public int rescue(ClaimFence fence) {
    long now = clock.millis();
    synchronized (claiming) {
      Set<Held> live = Set.copyOf(held);
      return db.write(c -> fence.holds(c) ? rescueOrphans(c, live, now) : 0);
    }
  }

  /**
   * Gives the time since {@code pausedSince} back to every row whose retry budget runs (it failed,
   * and waits for no operator): the budget is counted from the first failure, and none of them
   * could be tried while the reconciler was paused. A row whose first failure came during the pause
   * (a reconcile under way when it began) has its budget start now. Call in the transaction that
   * ends the pause, so that the time is given once. Returns how many rows it moved.
   */
  public int creditPausedTime(Connection c, Instant pausedSince) throws SQLException {
    long now = clock.millis();
    long since = pausedSince.toEpochMilli();
    // Clamped: a pause another node began on a clock a little ahead must not take budget away.
    long paused = Math.max(0, now - since);
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE work SET first_failure_at = CASE WHEN first_failure_at < ? THEN first_failure_at + ? ELSE ? END "
            + "WHERE state IN ('PENDING', 'RUNNING', 'RETRYING') AND first_failure_at < ?")) {
      ps.setLong(1, since);
      ps.setLong(2, paused);
      ps.setLong(3, now);
      ps.setLong(4, now);
      return ps.executeUpdate();
    }
  }

  /**
   * The rows of {@code key} (all rows when key is null) in state {@code from} become due now with a
   * fresh budget: DEAD or HELD ones an operator lets go; at a restore, any unapplied removal the
   * replaced database shows done. A leaver's row whose member may still be in Fulcrum (linked, its
   * create in doubt, or the member its change stopped on) is a removal, as its enqueue makes it: the
   * row may have stopped unflagged, queued before its plan adopted a member to remove and was held.
   */
  public int revive(ResourceKey key, WorkState from) {
    return db.write(c -> revive(c, key, from));
  }

  /** As {@link #revive(ResourceKey, WorkState)}, inside the caller's transaction. */
  public int revive(Connection c, ResourceKey key, WorkState from) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE work SET state = 'PENDING', attempts = 0, first_failure_at = NULL, next_attempt_at = ?, updated_at = ?, "
            + "removal = CASE WHEN leaver = 1 AND (held_member IS NOT NULL OR " + memberKept("work.entity_id")
            + ") THEN 1 ELSE removal END "
            + "WHERE state = ? AND (? IS NULL OR (entity_type = ? AND entity_id = ?))")) {
      long now = clock.millis();
      ps.setLong(1, now);
      ps.setLong(2, now);
      ps.setString(3, from.name());
      ps.setString(4, key == null ? null : key.scimId());
      ps.setString(5, key == null ? null : key.type().name());
      ps.setString(6, key == null ? null : key.scimId());
      return ps.executeUpdate();
    }
  }

  /**
   * A DEAD or HELD row set aside by an operator: marked DONE without applying, only if it is still at
   * the {@code generation} the operator's command read. A newer change may have gone DEAD again since
   * (the command is carried out later, by the daemon): settling that one would drop a change Okta
   * was told was accepted, unseen by anyone. The row keeps its reason, which tells it from a change
   * applied ({@link WorkItem#setAside}), and the member its change stopped on ({@link
   * WorkItem#heldMember}): a user given the address later waits for the leaver only while that
   * member is the one under it (review-s8g F2, F3), and a later change of the leaver's is bound to it.
   * A HELD row is set aside too: one held again for another member (maybe a new hire's own account,
   * review-s9c F1) has no other way out that removes nothing, and a user waiting for it waits for good.
   */
  public boolean skip(ResourceKey key, long generation) {
    return db.write(c -> skip(c, key, generation));
  }

  /** As {@link #skip(ResourceKey, long)}, inside the caller's transaction. */
  public boolean skip(Connection c, ResourceKey key, long generation) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        // the member held again is named only while the row is HELD; its binding stays with the row
        "UPDATE work SET state = 'DONE', removal = 0, named_member = NULL, last_error = 'skipped by operator: ' || COALESCE(last_error, ''), "
            + "updated_at = ? "
            + "WHERE entity_type = ? AND entity_id = ? AND state IN ('DEAD', 'HELD') AND generation = ?")) {
      ps.setLong(1, clock.millis());
      ps.setString(2, key.type().name());
      ps.setString(3, key.scimId());
      ps.setLong(4, generation);
      return ps.executeUpdate() > 0;
    }
  }

  public Optional<WorkItem> get(ResourceKey key) {
    return db.read(c -> get(c, key));
  }

  /** As {@link #get(ResourceKey)}, inside the caller's transaction. */
  public Optional<WorkItem> get(Connection c, ResourceKey key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM work WHERE entity_type = ? AND entity_id = ?")) {
      ps.setString(1, key.type().name());
      ps.setString(2, key.scimId());
      return readAll(ps).stream().findFirst();
    }
  }

  /** The member a key's change stopped on, and whether an operator set that change aside ({@link WorkItem#setAside}). */
  public record StoppedOn(String member, boolean setAside) {}

  /**
   * The Fulcrum member each key's change stopped on ({@link WorkItem#heldMember}), whatever its row's
   * state: held or DEAD, set aside, or queued again by a later change. Few rows: only a stopped change records one.
   */
  public Map<ResourceKey, StoppedOn> heldMembers() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT entity_type, entity_id, held_member, state = 'DONE' AND last_error IS NOT NULL FROM work "
              + "WHERE held_member IS NOT NULL");
          ResultSet rs = ps.executeQuery()) {
        Map<ResourceKey, StoppedOn> out = new HashMap<>();
        while (rs.next()) {
          out.put(new ResourceKey(EntityType.valueOf(rs.getString(1)), rs.getString(2)),
              new StoppedOn(rs.getString(3), rs.getBoolean(4)));
        }
        return out;
      }
    });
  }

  /** Rows in {@code state} (all states when null), oldest change first, at most {@code limit}. */
  public List<WorkItem> list(WorkState state, int limit) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM work WHERE (? IS NULL OR state = ?) ORDER BY updated_at LIMIT ?")) {
        ps.setString(1, state == null ? null : state.name());
        ps.setString(2, state == null ? null : state.name());
        ps.setInt(3, limit);
        return readAll(ps);
      }
    });
  }

  private static List<WorkItem> readAll(PreparedStatement ps) throws SQLException {
    List<WorkItem> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long firstFailure = rs.getLong("first_failure_at");
        boolean noFirstFailure = rs.wasNull();
        out.add(new WorkItem(
            new ResourceKey(EntityType.valueOf(rs.getString("entity_type")), rs.getString("entity_id")),
            WorkState.valueOf(rs.getString("state")),
            rs.getLong("generation"),
            rs.getLong("claimed_generation"),
            rs.getLong("claim"),
            rs.getInt("attempts"),
            noFirstFailure ? null : Instant.ofEpochMilli(firstFailure),
            Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
            rs.getString("last_error"),
            Instant.ofEpochMilli(rs.getLong("updated_at")),
            rs.getInt("removal") == 1,
            rs.getString("held_member")));
      }
    }
    return out;
  }
}
