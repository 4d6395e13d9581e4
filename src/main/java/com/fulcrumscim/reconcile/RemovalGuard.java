package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.time.Clock;
import java.time.Duration;
import com.fulcrumscim.config.BridgeConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The mass-removal guard. A removal waits for an operator when the removals made in the trailing
 * {@code window} plus those pending (queued work for linked users Okta deactivated or deleted,
 * this one included, and for unlinked ones whose plan removes a member: see {@link Unlinked}) exceed
 * max(minimum, percent of managed users): a misconfigured Okta assignment must not empty the Fulcrum
 * organization, whether it lands at once or trickles in.
 *
 * <p>Role take-backs (a role the bridge gave, taken back to the default because Okta names none any
 * more) are guarded the same way with the same settings, counted on their own: an Okta role mapping
 * removed for everyone must not demote every admin in one cycle. Their share is of the members that
 * hold a role the bridge gave other than the default, the ones a take-back can demote: admins are
 * few among all members. A removal storm and a take-back storm are different mistakes, and one
 * should not hold the other's ordinary changes.
 *
 * <p>An approval lets each held removal or take-back through once, of the Fulcrum member the hold
 * named alone: a plan that names another member by then is held again (review-s8b F4).
 */
public final class RemovalGuard {
  /** Work states of a change still to be made. */
  private static final String QUEUED = "('PENDING', 'RUNNING', 'RETRYING', 'HELD')";
  /**
   * The queued rows a pending removal can be among ({@code w}, {@link #leavers}): a user deactivated
   * or deleted as its latest change queued left it (work.leaver), or flagged as a removal. The user's
   * row tells which count.
   */
  private static final String LEAVING = "w.entity_type = 'USER' AND (w.leaver = 1 OR w.removal = 1) AND w.state IN " + QUEUED;
  /** Unlinked leavers named in one statement: well under SQLite's and PostgreSQL's limits on parameters. */
  private static final int NAMED = 5_000;
  private final Database db;
  private final Clock clock;
  private final int percent;
  private final int minimum;
  private final Duration window;

  public RemovalGuard(Database db, Clock clock, int percent, int minimum, Duration window) {
    this.db = db;
    this.clock = clock;
    this.percent = percent;
    this.minimum = minimum;
    this.window = window;
  }

  public RemovalGuard(Database db, Clock clock, BridgeConfig.Guard config) {
    this(db, clock, config.massRemovalPercent(), config.massRemovalMinimum(), config.window());
  }

  /**
   * A queued user Okta deactivated or deleted that has no link: the email its plan looks a member up
   * by (a create in doubt's, else the user's, else its tombstone's) and whether a create of it is in
   * doubt. Its plan removes the member with that email, when Fulcrum has one that no other user
   * holds: the one its create in doubt made, or one adopted to be removed (users.adopt_existing: a
   * restore of an older backup that lost links, then an Okta mistake). Counted only once made, a
   * storm of these removed max(minimum, percent) + 1 members before the guard held the rest, where
   * linked users' are held whole. Only the caller's copy of Fulcrum's members tells which remove one.
   */
  public record Unlinked(String scimId, String email, boolean createInDoubt) {}

  /**
   * Which queued unlinked leavers' plans remove a member, as the caller's copy of Fulcrum's members
   * tells: {@code memberListed} says whether it shows a member with the leaver's email that no other
   * user holds (the token owner's membership is not one). Only a leaver whose create is in doubt has
   * a member of its own, unless {@code adoptExisting} (users.adopt_existing) adopts one to remove.
   */
  public record Removing(boolean adoptExisting, Predicate<Unlinked> memberListed) {
    boolean removesAMember(Unlinked u) {
      return (u.createInDoubt() || adoptExisting) && memberListed.test(u);
    }
  }

  /**
   * Why the removal of Fulcrum member {@code memberId} for {@code userId} must wait; empty when it
   * may go ahead. {@code removing} says which queued unlinked leavers' plans remove a member (this
   * one's too, when it is one). Counted afresh: a reconcile cycle's checks share their count
   * through {@link #cycle}.
   */
  public Optional<String> holds(String userId, String memberId, Removing removing) {
    return holds(userId, memberId, removing, new AtomicReference<>());
  }

  /** A reconcile cycle's removal checks, which share one count while nothing it counts changes. */
  public Cycle cycle() {
    return new Cycle();
  }

  /**
   * The removal checks of one reconcile cycle. A deactivation storm the guard holds is counted
   * exactly at every check (the upper bound is over the threshold), each count a join of every
   * queued leaver: a cycle's checks of a storm of N cost N such counts, and the storm's N^2. A
   * check here takes the last count of the cycle that held as it is, with its numbers, while the
   * upper bound's figures it read with that count ({@link Bounds}) and the unlinked leavers it
   * counted are still those a fresh read finds; any one change to what it counts (a leaver queued
   * or given back, a row ended, a removal or link made, an audit row past the window) changes them.
   * Two between the same two checks whose figures would cancel out (a counted row set aside as an
   * uncounted leaver is queued) move the newest SCIM change's id when SCIM queued either; two
   * neither of which SCIM made (a set-aside and a resync's or a plan's own removal) can leave the
   * hold standing, with its older numbers, until a figure moves: the rows it holds then wait for
   * {@code approve-removals} (status: "Held removals"), never a removal let through. Only a
   * hold is kept: a count that would let a removal through is taken afresh at each check,
   * so one taken before more leavers were queued (by SCIM intake, on this node or another) never
   * lets a removal through that a fresh count would hold. Safe for the cycle's workers at once.
   */
  public final class Cycle {
    /** The cycle's last exact count, when it held. */
    private final AtomicReference<Tally> held = new AtomicReference<>();

    private Cycle() {}

    /** {@link RemovalGuard#holds(String, String, Removing)}, this cycle's last hold taken as it is while nothing it counts changed. */
    public Optional<String> holds(String userId, String memberId, Removing removing) {
      return RemovalGuard.this.holds(userId, memberId, removing, held);
    }
  }

  /**
   * An exact count of the removals, read in one statement with the upper bound's figures ({@code
   * bounds}), of the queued {@code unlinked} leavers whose plans remove a member among the rest; and
   * why it holds (empty: it does not).
   */
  private record Tally(Bounds bounds, List<String> unlinked, Optional<String> why) {}

  /** What a check read first: its verdict, or else ({@code verdict} null) the upper bound's figures, over the threshold. */
  private record FirstRead(Optional<String> verdict, Bounds over) {}

  /** {@code held}: the last exact count of the checks it is shared by, when it held, and what it is kept by. */
  private Optional<String> holds(String userId, String memberId, Removing removing, AtomicReference<Tally> held) {
    FirstRead first = db.read(c -> {
      Bound bound = bound(c, userId);
      Optional<String> another = bound.another(userId, memberId);
      if (another.isPresent() || bound.covers(memberId)) {
        return new FirstRead(another, null);
      }
      Bounds now = bounds(c);
      return under(now, 0) ? new FirstRead(Optional.empty(), null) : new FirstRead(null, now);
    });
    if (first.verdict() != null) {
      return first.verdict();
    }
    // read apart, as the caller's test may read too; the count below takes them in its one statement.
    // Without adoption only the creates in doubt are read: a mass deactivation queues thousands of
    // leavers, and reading them all at each removal's check made the checks quadratic.
    List<String> unlinked = db.read(c -> unlinkedLeavers(c, !removing.adoptExisting())).stream()
        .filter(removing::removesAMember).map(Unlinked::scimId).toList();
    Tally last = held.get();
    Tally tally = last != null && last.bounds().equals(first.over()) && last.unlinked().equals(unlinked) ? last
        : db.read(c -> new Tally(bounds(c), unlinked, exceeded(c, 0, unlinked)));
    held.set(tally.why().isPresent() ? tally : null);
    return tally.why().map(why -> why + "; held until `fulcrum-scim approve-removals`");
  }

  /**
   * The queued users Okta deactivated or deleted that have no link and an email to look a member up
   * by; {@code inDoubtOnly}: only those whose create is in doubt, read from their intents (a few)
   * rather than from every queued row.
   */
  private static List<Unlinked> unlinkedLeavers(Connection c, boolean inDoubtOnly) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(unlinkedLeaversSql(Dialect.of(c), inDoubtOnly));
        ResultSet rs = ps.executeQuery()) {
      List<Unlinked> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new Unlinked(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
      }
      return out;
    }
  }

  static String unlinkedLeaversSql(Dialect dialect, boolean inDoubtOnly) {
    String from = inDoubtOnly
        // the intents first: SQLite's planner, left alone, walks every USER work row to join them
        ? "reconcile_intent i " + dialect.joinInThisOrder() + " work w ON w.entity_type = 'USER' AND w.entity_id = i.scim_id"
        : leavers(dialect) + " LEFT JOIN reconcile_intent i ON i.entity_type = 'USER' AND i.scim_id = w.entity_id";
    return "SELECT w.entity_id, COALESCE(i.match_key, u.email, t.email), i.scim_id IS NOT NULL FROM " + from
        + " LEFT JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
        + "LEFT JOIN scim_user u ON u.id = w.entity_id "
        + "LEFT JOIN user_tombstone t ON t.scim_id = w.entity_id "
        + "WHERE " + (inDoubtOnly ? "i.entity_type = 'USER' AND w.entity_type = 'USER' AND w.state IN " + QUEUED : LEAVING)
        + " AND l.scim_id IS NULL "
        + "AND (u.id IS NULL OR u.active = 0) AND COALESCE(i.match_key, u.email, t.email) IS NOT NULL";
  }

  /**
   * The work table as {@code w}, walked by {@code work_guard}: the rows of users who left and of
   * removals. By state alone ({@code work_due}) it walked every queued row, a backlog of creates with
   * them (a first import beside a deactivation storm: each removal's check read the whole backlog),
   * and SQLite's planner, left alone, walks every USER row by the primary key. For {@link #LEAVING}.
   */
  private static String leavers(Dialect dialect) {
    return dialect.tableUsingIndex("work AS w", "work_guard");
  }

  /**
   * Why taking the role of {@code userId}'s member {@code memberId} back to {@code defaultRoleId}
   * must wait; empty when it may go ahead. Counted: the take-backs made in the trailing window (their audit rows) plus those pending
   * (queued work for active linked users whose role the bridge gave, other than the default, while
   * Okta names none now; this one included), of the members holding such a role (plus those made).
   */
  public Optional<String> holdsTakeBack(String userId, String memberId, String defaultRoleId) {
    return db.read(c -> {
      Bound bound = bound(c, userId);
      Optional<String> another = bound.another(userId, memberId);
      if (another.isPresent() || bound.covers(memberId)) {
        return another;
      }
      Counts n = counts(c, takeBacksSql(Dialect.of(c)), List.of(defaultRoleId),
          List.of("UPDATE_MEMBER"), "%; " + Planner.TAKE_BACK,
          "SELECT COUNT(*) FROM link WHERE entity_type = 'USER' AND okta_role_id IS NOT NULL AND okta_role_id <> ?",
          List.of(defaultRoleId));
      return over(n.recent(), n.pending(), n.base() + n.recent(), "role take-backs", "members the bridge gave a role other than the default")
          .map(why -> "role take-back: " + why + "; Okta names no role for these users any more (is its role attribute"
              + " mapping still in place?), so each member keeps the role the bridge gave until `fulcrum-scim approve-removals`");
    });
  }

  /**
   * The active linked users whose role the bridge gave, other than the default (the parameter), while
   * Okta names none now, and whose change is queued. From their links (the share's base reads the
   * same ones), where walking the queued rows read a backlog of creates at each take-back's check.
   */
  static String takeBacksSql(Dialect dialect) {
    return "SELECT l.scim_id FROM link l " + dialect.joinInThisOrder() + " work w ON w.entity_type = 'USER' "
        + "AND w.entity_id = l.scim_id JOIN scim_user u ON u.id = l.scim_id WHERE l.entity_type = 'USER' "
        + "AND l.okta_role_id IS NOT NULL AND l.okta_role_id <> ? AND w.state IN " + QUEUED
        + " AND u.active = 1 AND (u.role IS NULL OR TRIM(u.role) = '')";
  }

  /**
   * Why {@code removals} more removals at once, on top of those made and pending, must wait; empty
   * when they may go ahead. For removals that no work row carries (a resync's orphans), so none
   * can have been approved. No member list is at hand here to tell which queued unlinked leavers'
   * plans remove a member ({@link #holds}): each is counted, as one may (a storm of them after a
   * restore that lost links is what the guard is for); a few too many hold the batch for an operator.
   */
  public Optional<String> holdsMore(int removals) {
    return db.read(c -> under(bounds(c), removals) ? Optional.<String>empty()
        : exceeded(c, removals, unlinkedLeavers(c, false).stream().map(Unlinked::scimId).toList()));
  }

  /**
   * What an upper bound of the removals made and pending is read from, in one statement (one
   * snapshot on PostgreSQL) of index-only counts: the queued USER rows of users who left ({@code
   * leaving}: each pending removal has one, an unlinked leaver's too: {@link #LEAVING}; {@code
   * leavers}: those flagged work.leaver), the audit rows within the window ({@code audits}, from
   * {@code oldestAudit}: each removal made has one) and the links ({@code links}: the share is of
   * them at least). The exact count joins those rows to their link and user. They, and {@code
   * received} (the newest SCIM change's journal id), tell when a {@link Cycle}'s count is no longer
   * current: a leaver queued by SCIM as a counted row ends (an operator's skip) leaves every other
   * figure as it was (review-s15c F1), and moves this one.
   */
  private record Bounds(long leaving, long leavers, long audits, long oldestAudit, long links, long received) {}

  private Bounds bounds(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(boundSql(Dialect.of(c)))) {
      ps.setLong(1, since());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Bounds(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
      }
    }
  }

  /**
   * Whether even the upper bound {@code b}, {@code more} on top, stays within the threshold: most
   * removals go ahead on this alone, and a mass deactivation under the threshold costs none of its
   * checks a join of all the others.
   */
  private boolean under(Bounds b, long more) {
    return b.leaving() + b.audits() + more <= threshold(b.links());
  }

  static String boundSql(Dialect dialect) {
    return "SELECT q.leaving, q.leavers, a.audits, a.oldest, l.links, j.received FROM (SELECT COUNT(*) AS leaving, "
        + "COALESCE(SUM(w.leaver), 0) AS leavers FROM " + leavers(dialect) + " WHERE " + LEAVING + ") AS q, "
        + "(SELECT COUNT(*) AS audits, COALESCE(MIN(at), 0) AS oldest FROM reconcile_audit WHERE at > ?) AS a, "
        + "(SELECT COUNT(*) AS links FROM link WHERE entity_type = 'USER') AS l, "
        + "(SELECT COALESCE(MAX(id), 0) AS received FROM journal) AS j";
  }

  /**
   * {@code unlinked}: the queued unlinked leavers whose plans remove a member, counted as pending in
   * the same statement as the rest: one moving on meanwhile (linked by its adoption, or its removal
   * made) is still one person. Beyond {@link #NAMED} of them the rest are counted apart.
   */
  private Optional<String> exceeded(Connection c, int more, List<String> unlinked) throws SQLException {
    List<String> named = unlinked.subList(0, Math.min(unlinked.size(), NAMED));
    String pending = pendingSql(Dialect.of(c));
    if (!named.isEmpty()) {
      pending += " UNION SELECT entity_id FROM work WHERE entity_type = 'USER' AND state IN " + QUEUED
          + " AND entity_id IN (" + String.join(", ", Collections.nCopies(named.size(), "?")) + ")";
    }
    Counts n = counts(c, pending, new ArrayList<Object>(named),
        // an unlink too: a removal whose check failed (its DELETE went through) is found gone by the
        // next attempt and unlinked with no removal row, and a batch of those counted as none
        List.of("REMOVE_MEMBER", "UNLINK"), "%",
        "SELECT COUNT(*) FROM link WHERE entity_type = 'USER'", List.of());
    return over(n.recent(), n.pending() + more + unlinked.size() - named.size(), n.base() + n.recent(), "removals",
        "managed members");
  }

  /** The linked users Okta deactivated or deleted whose removal is queued. */
  static String pendingSql(Dialect dialect) {
    return "SELECT w.entity_id FROM " + leavers(dialect) + " JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
        + "LEFT JOIN scim_user u ON u.id = w.entity_id WHERE " + LEAVING + " AND (u.id IS NULL OR u.active = 0)";
  }

  /** People whose change is pending, and whose change was made within the trailing window; what their share is taken of. */
  private record Counts(int pending, int recent, int base) {}

  /**
   * The users of {@code pending} (SQL selecting their ids) and those the {@code actions} done within
   * the trailing window with an audit detail like {@code detail} were for, each person once, and
   * {@code base} (SQL), all in one statement. A change is made (its audit row committed) a moment
   * before its work row and link say so: counted apart, it was both pending and made in that moment
   * (on PostgreSQL, whose writes commit as they go, often), and an ordinary batch was held. One
   * statement is also one snapshot on PostgreSQL, whose separate reads each see the latest commits.
   */
  private Counts counts(Connection c, String pending, List<Object> pendingParams, List<String> actions, String detail,
      String base, List<Object> baseParams) throws SQLException {
    String made = "SELECT scim_id FROM reconcile_audit WHERE entity_type = 'USER' AND at > ? AND action IN ("
        + String.join(", ", Collections.nCopies(actions.size(), "?")) + ") AND result = 'ok' AND COALESCE(detail, '') LIKE ?";
    try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM (" + pending + " UNION " + made + ") AS people), "
        + "(SELECT COUNT(DISTINCT scim_id) FROM (" + made + ") AS done), (" + base + ")")) {
      long since = since();
      int i = 1;
      for (Object p : pendingParams) {
        ps.setObject(i++, p);
      }
      for (int twice = 0; twice < 2; twice++) {
        ps.setLong(i++, since);
        for (String action : actions) {
          ps.setString(i++, action);
        }
        ps.setString(i++, detail);
      }
      for (Object p : baseParams) {
        ps.setObject(i++, p);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Counts(rs.getInt(1) - rs.getInt(2), rs.getInt(2), rs.getInt(3));
      }
    }
  }

  /** Why {@code recent} plus {@code pending} {@code changes} are too many, of {@code base} {@code of}; empty when they are not. */
  private Optional<String> over(int recent, int pending, int base, String changes, String of) {
    long threshold = threshold(base);
    if (recent + pending <= threshold) {
      return Optional.empty();
    }
    return Optional.of(recent + " " + changes + " in the last " + DurationText.of(window)
        + " and " + pending + " pending, of " + base + " " + of + " (guard: more than "
        + threshold + " = max(" + minimum + ", " + percent + "%) per guard.window)");
  }

  /** How many changes of {@code base} members the guard lets through within the window: max(minimum, percent). */
  private long threshold(long base) {
    return Math.max(minimum, (long) Math.ceil(base * percent / 100.0));
  }

  /** Where the trailing window starts, in epoch milliseconds. */
  private long since() {
    return clock.instant().minus(window).toEpochMilli();
  }

  /**
   * A removal or role take-back the guard holds, as an operator's command read it: the user, its
   * work row's {@code created_at} (when the held change arrived), which tells this change from a
   * later one, and {@code memberId}, the member its plan names (null: not recorded, held before
   * schema 13), which an approval of it covers alone. {@code again}: held again, as the command read
   * it ({@link #held}); not carried to the daemon, whose approval checks the member instead.
   */
  public record Held(String userId, long createdAt, String memberId, boolean again) {}

  /**
   * Which of {@code userIds} are role take-backs rather than removals, as their users are now: the
   * active ones (a removal is planned only for a user Okta deactivated or deleted).
   */
  public Set<String> takeBacks(Collection<String> userIds) {
    return db.read(c -> {
      Set<String> out = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM scim_user WHERE id = ? AND active = 1")) {
        for (String id : userIds) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              out.add(id);
            }
          }
        }
      }
      return out;
    });
  }

  /**
   * The removals and role take-backs held now, oldest first, each with whether it is held again:
   * its plan named another member than the one its change is bound to (the member it was first held
   * on, or an approval's: review-s8g F4, review-s9a F1). That member may be another person's own
   * account (a new hire invited by hand under a leaver's address), and its hold says to leave it
   * held: an approval of everything held must not let it go, only one naming the user. One read, so
   * that a hold again committed between two reads cannot pass for an ordinary hold naming the other
   * member (review-s9c F2).
   */
  public List<Held> held() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT w.entity_id, w.created_at, COALESCE(w.named_member, "
          + "w.held_member), CASE WHEN a.member_id IS NULL THEN w.named_member IS NOT NULL "
          + "ELSE COALESCE(w.named_member, w.held_member) <> a.member_id END FROM work w LEFT JOIN removal_approval a "
          + "ON a.scim_id = w.entity_id AND a.approved_at >= w.created_at WHERE w.entity_type = 'USER' "
          + "AND w.state = 'HELD' ORDER BY w.created_at, w.entity_id");
          ResultSet rs = ps.executeQuery()) {
        List<Held> held = new ArrayList<>();
        while (rs.next()) {
          held.add(new Held(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getBoolean(4)));
        }
        return held;
      }
    });
  }

  /** The users of {@code held} (as {@link #held} read them) held again. */
  public static Set<String> heldAgain(List<Held> held) {
    return held.stream().filter(Held::again).map(Held::userId).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Approves once, and makes due, the removals and take-backs of {@code seen} still held as the
   * operator's command read them, each for the member it read ({@link Held#memberId}); returns
   * those. Only those: the command is carried out later (by
   * the daemon, after the requests before it), and a removal storm held meanwhile is exactly what
   * the guard is for. Safe to repeat: after a crash between the two steps, running it again
   * finishes the job.
   */
  public List<Held> approveHeld(WorkQueue queue, List<Held> seen) {
    List<Held> approved = db.write(c -> {
      List<Held> still = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          // approved_at is the held change's own time, not this node's clock: approval() compares it
          // with the row's created_at, which the node that accepted the change stamped
          // member_id: the member the command read, the only one the approval lets the change remove or
          // demote; a plan naming another since (held again) is not approved: its member was not read
          "INSERT INTO removal_approval (scim_id, approved_at, member_id) "
              + "SELECT entity_id, created_at, ? FROM work WHERE entity_type = 'USER' AND state = 'HELD' "
              + "AND entity_id = ? AND created_at = ? AND COALESCE(named_member, held_member, '') = COALESCE(?, '') "
              + "ON CONFLICT (scim_id) DO UPDATE SET approved_at = excluded.approved_at, member_id = excluded.member_id")) {
        for (Held h : seen) {
          ps.setString(1, h.memberId());
          ps.setString(2, h.userId());
          ps.setLong(3, h.createdAt());
          ps.setString(4, h.memberId());
          if (ps.executeUpdate() > 0) {
            still.add(h);
          }
        }
      }
      return still;
    });
    // a row whose change was replaced after this approval is held again: approval() compares created_at
    return approved.stream().filter(h -> queue.revive(new ResourceKey(EntityType.USER, h.userId()), WorkState.HELD) > 0)
        .toList();
  }

  /**
   * The approval is spent once the removal is done, and covers nothing once an operator sets its
   * change aside (`journal skip`): dropped in that transaction, it cannot be taken for a later
   * change's by a node whose clock stamps that change's created_at no later than the approval.
   */
  public void consume(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM removal_approval WHERE scim_id = ?")) {
      ps.setString(1, userId);
      ps.executeUpdate();
    }
  }

  /**
   * The member {@code userId}'s unsettled change is bound to: the one an approval covering it was
   * given for, else the one its hold named, or its DEAD row with the person keeping access through
   * it (review-s8g F1; kept while the row is retried or set aside). An approval covers the removal
   * or take-back held when it was given: a change Okta sent after it (the user reactivated, then
   * deactivated again a month later) starts a new one, which the guard counts again. The work row's
   * {@code created_at} is when its oldest unapplied change arrived; an approval records the held
   * row's own. So a take-back's approval, which no unlink spends, covers nothing once its row is
   * done. A hold's member is forgotten once the row ends done (not set aside).
   */
  private static Bound bound(Connection c, String userId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT a.scim_id, a.member_id, w.held_member FROM work w "
        + "LEFT JOIN removal_approval a ON a.scim_id = w.entity_id AND a.approved_at >= w.created_at "
        + "WHERE w.entity_type = 'USER' AND w.entity_id = ?")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Bound(false, null);
        }
        boolean approved = rs.getString(1) != null;
        return new Bound(approved, rs.getString(approved ? 2 : 3));
      }
    }
  }

  /**
   * What binds a user's held change to a Fulcrum member: an operator's approval given for {@code
   * memberId} ({@code approved}; null: given before the member was recorded, schema 13, or carried
   * by a restore), else the hold or DEAD row that named {@code memberId} (null: none). A plan run
   * weeks after its hold may find another member under the address: the leaver's removed by hand
   * meanwhile, and a new hire given the address invited by hand. Removed under the old approval, or
   * once a later change of the user finds the guard under its threshold, that member is a different
   * person's own account.
   */
  private record Bound(boolean approved, String memberId) {
    /** Whether an approval covers the change to {@code planned}. */
    boolean covers(String planned) {
      return approved && planned.equals(memberId);
    }

    /** Why the change to {@code planned}, another member than the one it is bound to, is held again; else empty. */
    Optional<String> another(String userId, String planned) {
      if (planned.equals(memberId) || !approved && memberId == null) {
        return Optional.empty();
      }
      String bound = approved ? "the approval of " + ResourceKey.user(userId) + "'s held change was given for "
          + (memberId == null ? "a member not recorded (approved before this release)" : "Fulcrum member " + memberId)
          : ResourceKey.user(userId) + "'s change stopped (held, or DEAD with the person keeping access) on Fulcrum member "
              + memberId;
      // each way out names the user: a plain approve-removals leaves a change held again (heldAgain)
      return Optional.of(bound + ", but its plan now names Fulcrum member " + planned + ": held again, as that may be"
          + " another person's account (the address given to someone since). If it is this user's person's, `fulcrum-scim"
          + " approve-removals " + ResourceKey.user(userId) + "` approves the change to " + planned + "; if " + planned
          + " is not this user's person's, `fulcrum-scim journal skip " + ResourceKey.user(userId) + "` sets this change"
          + " aside, removing nothing");
    }
  }
}
