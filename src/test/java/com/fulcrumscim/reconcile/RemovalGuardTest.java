package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.DesiredFixture;
import com.fulcrumscim.testing.ScimOkta;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.SettableClock;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard's count of removals: each person once, whether their removal is pending, made, or both for a moment. */
class RemovalGuardTest {
  @TempDir Path dir;
  TestStore opened;
  Database db;
  /** Guard: more than 1 removal per hour. */
  RemovalGuard guard;
  /** Okta over real SCIM, to the receiver on the same store: started by {@link #okta()}. */
  ScimTestServer receiver;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("guard.db"));
  }

  @BeforeEach
  void open() {
    opened = store();
    db = Database.open(opened.location());
    guard = new RemovalGuard(db, Clock.systemUTC(), 1, 1, Duration.ofHours(1));
  }

  @AfterEach
  void close() {
    if (receiver != null) {
      receiver.close();
    }
    db.close();
  }

  ScimOkta okta() {
    if (receiver == null) {
      receiver = ScimTestServer.start(opened, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    }
    return new ScimOkta(receiver.http());
  }

  /** A deactivated user's removal queued: linked, with a work row. */
  void removalPending(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', '" + userId + "', 'm-" + userId + "', 'CREATED', 0)"));
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  /**
   * A user Okta deleted that the bridge never linked, queued: its create is in doubt, so its plan
   * removes the member that create made.
   */
  void neverLinkedRemovalPending(String userId) {
    db.write(c -> {
      c.createStatement().executeUpdate("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
          + "VALUES ('" + userId + "', '" + userId + "', '" + userId + "@corp.example', 0)");
      new IntentStore(db).record(c, EntityType.USER, new Intent(userId, userId + "@corp.example", Set.of(), Instant.now()));
      return null;
    });
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  /** A user Okta deleted that the bridge never linked and never tried to create, queued. */
  void neverPushedLeaverPending(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO user_tombstone (scim_id, user_name, email, deleted_at) "
        + "VALUES ('" + userId + "', '" + userId + "', '" + userId + "@corp.example', 0)"));
    new WorkQueue(db, Clock.systemUTC()).enqueue(ResourceKey.user(userId));
  }

  void removalMade(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + System.currentTimeMillis() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')"));
  }

  /** Holds {@code userId}'s queued row as the reconciler does, on Fulcrum member {@code memberId}, and approves it. */
  void heldOnThenApproved(String userId, String memberId) {
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    WorkItem item = queue.claim(10).stream().filter(w -> w.key().scimId().equals(userId)).findFirst().orElseThrow();
    queue.record(item, new WorkQueue.Fate.Hold("mass-removal guard", memberId), List.of());
    assertThat(guard.approveHeld(queue, guard.held())).hasSize(1);
  }

  /** Weeks after the hold, the address may find another member: a new hire's own account (review-s8b F4). */
  @Test
  void anApprovalCoversTheMemberItsHoldNamedAndNoOther() {
    removalPending("u-leaver");
    removalPending("u-other");
    heldOnThenApproved("u-leaver", "m-held");

    assertThat(guard.holds("u-leaver", "m-held", new RemovalGuard.Removing(false, u -> false))).isEmpty();
    assertThat(guard.holds("u-leaver", "m-new-hire", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).contains("user/u-leaver", "Fulcrum member m-held",
            "Fulcrum member m-new-hire", "held again"));
  }

  /** A later change whose plan names another member (the user pushed again, and gone again) is not bound to an old hold's. */
  @Test
  void aHoldsMemberIsForgottenOnceItsRowEndsDone() {
    removalPending("u-leaver");
    removalPending("u-other");
    WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
    queue.record(queue.claim(10).stream().filter(w -> w.key().scimId().equals("u-leaver")).findFirst().orElseThrow(),
        new WorkQueue.Fate.Hold("mass-removal guard", "m-old"), List.of());
    queue.revive(ResourceKey.user("u-leaver"), WorkState.HELD);
    queue.done(queue.claim(10).stream().filter(w -> w.key().scimId().equals("u-leaver")).findFirst().orElseThrow());
    queue.enqueue(ResourceKey.user("u-leaver"));

    assertThat(guard.holds("u-leaver", "m-new", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).doesNotContain("m-old").contains("pending"));
  }

  /** A row held before schema 13 recorded no member: its approval holds it once more, naming the member. */
  @Test
  void anApprovalOfARowHeldWithNoMemberRecordedHoldsItOnceMore() {
    removalPending("u-leaver");
    removalPending("u-other");
    heldOnThenApproved("u-leaver", null);

    assertThat(guard.holds("u-leaver", "m-u-leaver", new RemovalGuard.Removing(false, u -> false)))
        .hasValueSatisfying(why -> assertThat(why).contains("not recorded", "Fulcrum member m-u-leaver"));
  }

  /** The audit row commits before the unlink and the outcome: a reconciler on PostgreSQL showed it between them. */
  @Test
  void aRemovalMadeWhoseLinkAndRowAreNotYetSettledIsOnePerson() {
    removalPending("u-leaver");
    removalMade("u-leaver");

    assertThat(guard.holdsMore(0)).isEmpty();
    assertThat(guard.holdsMore(1)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** Its DELETE went through but the check read failed: the next attempt found the member gone and only unlinked. */
  @Test
  void aPersonUnlinkedWithoutARemovalRowCountsAsRemoved() {
    removalPending("u-other");
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + System.currentTimeMillis() + ", 'USER', 'u-checked-late', 'UNLINK', 'ok')"));

    assertThat(guard.holdsMore(0)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** A resync's orphan batch counts the queued removals of never-linked users, as each removal's own check does. */
  @Test
  void anOrphanBatchOnTopOfQueuedNeverLinkedRemovalsIsHeld() {
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holdsMore(0)).isEmpty();
    assertThat(guard.holdsMore(1)).hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  @Test
  void removalsOfDifferentPeopleAddUp() {
    removalPending("u-one");
    removalMade("u-two");

    assertThat(guard.holdsMore(0)).hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** Without adoption the guard reads the unlinked leavers from the creates in doubt: one of those is counted. */
  @Test
  void aRemovalsCheckCountsAQueuedLeaverWhoseCreateIsInDoubt() {
    removalPending("u-leaver");
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(false, u -> true)))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  /** One Okta deleted before any push has no member to remove, unless users.adopt_existing adopts one. */
  @Test
  void aQueuedLeaverNeverPushedCountsOnlyWithAdoption() {
    removalPending("u-leaver");
    neverPushedLeaverPending("u-never-pushed");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(false, u -> true))).isEmpty();
    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(true, u -> true)))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  /** Nor when the member list shows no member with its email. */
  @Test
  void aQueuedLeaverWhoseMemberIsNotListedIsNotCounted() {
    removalPending("u-leaver");
    neverLinkedRemovalPending("u-in-doubt");

    assertThat(guard.holds("u-leaver", "m-leaver", new RemovalGuard.Removing(true, u -> false))).isEmpty();
  }

  /**
   * The guard's statements before schema 16 (work.leaver), which walked every queued USER row: what
   * its counts must still come to. Their pending users (linked), and unlinked leavers with an email.
   */
  static final String QUEUED = "('PENDING', 'RUNNING', 'RETRYING', 'HELD')";
  static final String OLD_PENDING = "SELECT w.entity_id FROM work w JOIN link l ON l.entity_type = 'USER' "
      + "AND l.scim_id = w.entity_id LEFT JOIN scim_user u ON u.id = w.entity_id WHERE w.entity_type = 'USER' "
      + "AND w.state IN " + QUEUED + " AND (u.id IS NULL OR u.active = 0)";
  static final String OLD_UNLINKED = "SELECT w.entity_id FROM work w LEFT JOIN reconcile_intent i ON i.entity_type = 'USER' "
      + "AND i.scim_id = w.entity_id LEFT JOIN link l ON l.entity_type = 'USER' AND l.scim_id = w.entity_id "
      + "LEFT JOIN scim_user u ON u.id = w.entity_id LEFT JOIN user_tombstone t ON t.scim_id = w.entity_id "
      + "WHERE w.entity_type = 'USER' AND w.state IN " + QUEUED + " AND l.scim_id IS NULL "
      + "AND (u.id IS NULL OR u.active = 0) AND COALESCE(i.match_key, u.email, t.email) IS NOT NULL";
  /** Role take-backs pending, as counted from the queued rows, the default role's id the parameter. */
  static final String OLD_TAKE_BACKS = "SELECT w.entity_id FROM work w JOIN link l ON l.entity_type = 'USER' "
      + "AND l.scim_id = w.entity_id JOIN scim_user u ON u.id = w.entity_id WHERE w.entity_type = 'USER' "
      + "AND w.state IN " + QUEUED + " AND u.active = 1 AND (u.role IS NULL OR TRIM(u.role) = '') "
      + "AND l.okta_role_id IS NOT NULL AND l.okta_role_id <> ?";

  /** Who the old statements count pending ({@code before}), who the guard's do ({@code now}), and its upper bound's pending rows. */
  record Counted(Set<String> before, Set<String> now, long bound) {}

  Counted counted() {
    return db.read(c -> {
      Dialect dialect = Dialect.of(c);
      Set<String> before = new TreeSet<>(ids(c, OLD_PENDING));
      before.addAll(ids(c, OLD_UNLINKED));
      Set<String> now = new TreeSet<>(ids(c, RemovalGuard.pendingSql(dialect)));
      now.addAll(ids(c, RemovalGuard.unlinkedLeaversSql(dialect, false)));
      try (PreparedStatement ps = c.prepareStatement(RemovalGuard.boundSql(dialect))) {
        ps.setLong(1, Long.MAX_VALUE);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Counted(before, now, rs.getLong(1));
        }
      }
    });
  }

  static List<String> ids(Connection c, String sql, String... params) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** The role take-backs pending by the old statement and by the guard's, the default role r-default. */
  List<Set<String>> takeBacks() {
    return db.read(c -> List.of(new TreeSet<>(ids(c, OLD_TAKE_BACKS, "r-default")),
        new TreeSet<>(ids(c, RemovalGuard.takeBacksSql(Dialect.of(c)), "r-default"))));
  }

  /** {@code userId} counted pending by the guard, as by the old statements, and within its upper bound. */
  void countedPending(String userId) {
    Counted n = counted();
    assertThat(n.now()).contains(userId).isEqualTo(n.before());
    assertThat(n.bound()).isGreaterThanOrEqualTo(n.now().size());
  }

  void link(String userId) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) "
        + "VALUES ('USER', '" + userId + "', 'm-" + userId + "', 'CREATED', 0)"));
  }

  /** A user Okta pushed (its create still queued) that the bridge linked. */
  String linkedUser(String name) {
    String id = okta().user(name + "@corp.example", "Given", "Family", null);
    link(id);
    return id;
  }

  WorkQueue queue() {
    return new WorkQueue(db, Clock.systemUTC());
  }

  WorkItem claimed(String userId) {
    return queue().claim(1_000).stream().filter(w -> w.key().scimId().equals(userId)).findFirst().orElseThrow();
  }

  /** Held by the guard and set aside by an operator (`journal skip`): done, its link kept, its flag cleared. */
  void heldAndSetAside(String userId) {
    WorkItem item = claimed(userId);
    queue().record(item, new WorkQueue.Fate.Hold("mass-removal guard", "m-" + userId), List.of());
    assertThat(queue().skip(ResourceKey.user(userId), item.generation())).isTrue();
  }

  boolean flagged(String userId) {
    return queue().get(ResourceKey.user(userId)).orElseThrow().removal();
  }

  @Test
  void aDeactivationByPatchIsCounted() {
    String id = linkedUser("patched");
    okta().set(id, "active", 0);

    countedPending(id);
  }

  @Test
  void aDeactivationByPutIsCounted() {
    String id = linkedUser("put");
    assertThat(receiver.http().put("/Users/" + id, ScimTestServer.Bodies.user("put@corp.example", "Given", "Family", false))
        .status()).isEqualTo(200);

    countedPending(id);
  }

  @Test
  void aDeleteIsCounted() {
    String id = linkedUser("deleted");
    okta().deleteUser(id);

    countedPending(id);
  }

  /** Its removal held and set aside, the link stays: an edit Okta sends after queues it, a removal again, and its plan removes the member. */
  @Test
  void anEditOfAUserAlreadyDeactivatedIsCounted() {
    String id = linkedUser("edited");
    okta().set(id, "active", 0);
    heldAndSetAside(id);
    okta().set(id, "given_name", "Renamed");

    assertThat(flagged(id)).as("claimed with the removals (LeaverClaimedFirstTest)").isTrue();
    countedPending(id);
  }

  /** A failed attempt's plan wrote that the change takes nothing away (the member found gone, say): the user still counts until planned again. */
  @Test
  void aRetryWhosePlanClearedTheFlagIsCounted() {
    String id = linkedUser("retried");
    okta().set(id, "active", 0);
    queue().record(claimed(id), new WorkQueue.Fate.Retry(Instant.now().plusSeconds(60), "failed", true, false), List.of());

    assertThat(flagged(id)).as("the flag misses it").isFalse();
    countedPending(id);
  }

  /** `journal retry` of a change given up on whose plan took nothing away: its member still linked, a removal again. */
  @Test
  void aJournalRetryOfADeadChangeIsCounted() {
    String id = linkedUser("revived");
    okta().set(id, "active", 0);
    queue().record(claimed(id), new WorkQueue.Fate.Dead("refused", false), List.of());
    assertThat(queue().revive(ResourceKey.user(id), WorkState.DEAD)).isEqualTo(1);

    assertThat(flagged(id)).as("claimed with the removals").isTrue();
    countedPending(id);
  }

  /** A resync's nudge of a leaver whose change was set aside (it finds the member still there). */
  @Test
  void aResyncNudgeOfALeaverIsCounted() {
    String id = linkedUser("nudged");
    okta().deleteUser(id);
    heldAndSetAside(id);
    queue().nudge(ResourceKey.user(id), false);

    assertThat(flagged(id)).as("claimed with the removals").isTrue();
    countedPending(id);
  }

  /** Okta may push a user inactive: its create is no removal, yet with adoption its plan removes the member with its email. */
  @Test
  void aUserCreatedInactiveIsCountedAsAnUnlinkedLeaver() {
    okta();
    String id = receiver.http().post("/Users", ScimTestServer.Bodies.user("inactive@corp.example", "Given", "Family", false))
        .json().get("id").asText();

    assertThat(flagged(id)).as("the flag misses it").isFalse();
    countedPending(id);
    assertThat(guard.holdsMore(1)).hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));
  }

  /** A user given back access is no leaver, though the row it was queued on carried a removal. */
  @Test
  void aUserReactivatedIsNotCounted() {
    String id = linkedUser("back");
    okta().set(id, "active", 0);
    okta().set(id, "active", 1);

    Counted n = counted();
    assertThat(n.now()).doesNotContain(id).isEqualTo(n.before());
    assertThat(n.bound()).isZero();
  }

  /** Members taken out of a group are the group's removal, which this guard does not count (the people keep their membership). */
  @Test
  void aGroupsRemovalIsNotCounted() {
    String stays = linkedUser("stays");
    String leaves = linkedUser("leaves");
    String group = okta().group("Team", List.of(stays, leaves));
    okta().setGroup(group, "Team", List.of(stays));

    assertThat(queue().get(ResourceKey.group(group)).orElseThrow().removal()).isTrue();
    assertThat(counted()).isEqualTo(new Counted(Set.of(), Set.of(), 0));
  }

  /** A first import's creates, thousands queued at the call budget, are not read by a removal's check. */
  @Test
  void aBacklogOfCreatesIsNotInTheCount() {
    DesiredFixture fixture = new DesiredFixture(db, queue(), Clock.systemUTC());
    for (int i = 0; i < 300; i++) {
      fixture.user("new-" + i + "@corp.example", "New", "Hire", null);
    }

    assertThat(counted()).isEqualTo(new Counted(Set.of(), Set.of(), 0));
    assertThat(guard.holdsMore(1)).isEmpty();
  }

  /**
   * A deactivation storm beside an import: each removal's check as the reconciler makes it, one
   * after each deactivation. Held at the fourth of ten managed members (more than max(3, 1%)),
   * whatever the backlog of creates beside it, with the same numbers.
   */
  @Test
  void aStormBesideABacklogOfCreatesIsHeldWhereItWasWithTheSameNumbers() {
    DesiredFixture fixture = new DesiredFixture(db, queue(), Clock.systemUTC());
    List<String> managed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      managed.add(fixture.user("staff-" + i + "@corp.example", "Staff", "Member", null));
      link(managed.get(i));
    }
    for (int i = 0; i < 200; i++) {
      fixture.user("new-" + i + "@corp.example", "New", "Hire", null);
    }
    RemovalGuard storm = new RemovalGuard(db, Clock.systemUTC(), 1, 3, Duration.ofHours(1));

    List<Optional<String>> checks = new ArrayList<>();
    for (String id : managed.subList(0, 5)) {
      fixture.set(id, "active", 0);
      checks.add(storm.holds(id, "m-" + id, new RemovalGuard.Removing(false, u -> false)));
      Counted n = counted();
      assertThat(n.now()).isEqualTo(n.before());
    }

    assertThat(checks.subList(0, 3)).allMatch(Optional::isEmpty);
    assertThat(checks.get(3)).hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 4 pending,"
        + " of 10 managed members (guard: more than 3 = max(3, 1%) per guard.window)"));
    assertThat(checks.get(4)).hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 5 pending"));
    assertThat(counted().bound()).isEqualTo(5);
  }

  /**
   * Random mixes of what reaches the work table (creates, edits, deactivations, reactivations,
   * deletes, links, creates in doubt, group changes, and every way a claimed row ends, is retried,
   * set aside or nudged): the guard counts the people the old statements counted, and its upper
   * bound is never under them. Fixed seeds.
   */
  @Test
  void overRandomMixesTheGuardCountsWhomTheOldStatementsCounted() {
    DesiredFixture fixture = new DesiredFixture(db, queue(), Clock.systemUTC());
    for (long seed : new long[] {1, 2, 3, 4, 5, 6}) {
      Random random = new Random(seed);
      List<String> users = new ArrayList<>();
      List<String> gone = new ArrayList<>();
      for (int step = 0; step < 120; step++) {
        randomStep(random, fixture, users, gone, "s" + seed + "-" + step);
        Counted n = counted();
        assertThat(n.now()).as("seed %d, step %d", seed, step).isEqualTo(n.before());
        assertThat(n.bound()).as("seed %d, step %d", seed, step).isGreaterThanOrEqualTo(n.now().size());
        List<Set<String>> takeBacks = takeBacks();
        assertThat(takeBacks.get(1)).as("take-backs, seed %d, step %d", seed, step).isEqualTo(takeBacks.get(0));
      }
    }
  }

  /**
   * A cycle's checks share its count of a hold, never of a pass: a storm queued while the cycle runs
   * (SCIM intake, on this node or another) is held by the checks after it, though an earlier check
   * of the cycle let one removal through on its exact count (the upper bound over: a leaver that
   * never reached Fulcrum is queued too).
   */
  @Test
  void aStormQueuedWhileACycleIsInProgressIsStillHeld() {
    removalPending("u-first");
    neverPushedLeaverPending("u-never-pushed");
    RemovalGuard.Cycle cycle = guard.cycle();
    assertThat(cycle.holds("u-first", "m-u-first", NONE_UNLINKED)).isEmpty();

    for (int i = 0; i < 3; i++) {
      removalPending("u-storm-" + i);
    }

    assertThat(cycle.holds("u-first", "m-u-first", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 4 pending"));
  }

  /**
   * A storm held, then an operator's approval of two of its removals while the cycle runs: those two
   * go through, and the next checks of the cycle hold the rest, with the numbers a fresh count gives
   * once the two are made.
   */
  @Test
  void anApprovalMidCycleLetsTheApprovedNumberThroughAndNoMore() {
    List<String> storm = List.of("u-a", "u-b", "u-c", "u-d");
    storm.forEach(this::removalPending);
    RemovalGuard.Cycle cycle = guard.cycle();
    WorkQueue queue = queue();
    for (WorkItem item : queue.claim(10)) {
      String id = item.key().scimId();
      assertThat(cycle.holds(id, "m-" + id, NONE_UNLINKED))
          .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 4 pending"));
      queue.record(item, new WorkQueue.Fate.Hold("mass-removal guard", "m-" + id), List.of());
    }

    assertThat(guard.approveHeld(queue, guard.held().stream().filter(h -> h.userId().compareTo("u-c") < 0).toList()))
        .hasSize(2);
    for (String id : List.of("u-a", "u-b")) {
      assertThat(cycle.holds(id, "m-" + id, NONE_UNLINKED)).as(id).isEmpty();
      removed(id);
    }

    for (String id : List.of("u-c", "u-d")) {
      assertThat(cycle.holds(id, "m-" + id, NONE_UNLINKED)).as(id)
          .hasValueSatisfying(why -> assertThat(why).startsWith("2 removals in the last 1h and 2 pending, of 4 managed members"));
    }
  }

  /**
   * A user whose row a resync queued as a removal while it was active, then deactivated: its row
   * stays among the queued rows of removals, now flagged a leaver, and the next check of a cycle
   * that held counts it.
   */
  @Test
  void aLeaverWhoseRowWasQueuedAsARemovalAlreadyIsCountedByTheCyclesNextCheck() {
    DesiredFixture fixture = new DesiredFixture(db, queue(), Clock.systemUTC());
    String later = fixture.user("later@corp.example", "Given", "Family", null);
    link(later);
    queue().nudge(ResourceKey.user(later), true);
    removalPending("u-a");
    removalPending("u-b");
    RemovalGuard.Cycle cycle = guard.cycle();
    assertThat(cycle.holds("u-a", "m-u-a", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 2 pending"));

    fixture.set(later, "active", 0);

    assertThat(cycle.holds("u-a", "m-u-a", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 3 pending"));
  }

  /**
   * review-s15c F1: a counted leaver's row set aside (journal skip) as Okta deletes a user it never
   * pushed (queued, uncounted) leaves every other figure as it was: the cycle's next check counts
   * again and lets the removal through, as a fresh count does, where it kept the older hold.
   */
  @Test
  void aCountedRowSetAsideAsSCIMQueuesAnUncountedLeaverIsCountedAgain() {
    RemovalGuard two = new RemovalGuard(db, Clock.systemUTC(), 1, 2, Duration.ofHours(1));
    List.of("u-a", "u-b", "u-c").forEach(this::removalPending);
    RemovalGuard.Cycle cycle = two.cycle();
    WorkQueue queue = queue();
    WorkItem b = queue.claim(10).stream().filter(item -> item.key().scimId().equals("u-b")).findFirst().orElseThrow();
    assertThat(cycle.holds("u-b", "m-u-b", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("0 removals in the last 1h and 3 pending"));
    queue.record(b, new WorkQueue.Fate.Hold("mass-removal guard", "m-u-b"), List.of());

    assertThat(queue.skip(b.key(), b.generation())).isTrue();
    okta().deleteUser(okta().user("never-pushed@corp.example", "Never", "Pushed", null));

    assertThat(two.holds("u-a", "m-u-a", NONE_UNLINKED)).as("a fresh count").isEmpty();
    assertThat(cycle.holds("u-a", "m-u-a", NONE_UNLINKED)).isEmpty();
  }

  /**
   * A removal made as an older one leaves the window: as many audit rows within it, and the next
   * check of a cycle that held counts the one made, not the one gone.
   */
  @Test
  void aRemovalMadeAsAnotherLeavesTheWindowIsCountedByTheCyclesNextCheck() {
    SettableClock clock = new SettableClock(Instant.now());
    RemovalGuard timed = new RemovalGuard(db, clock, 1, 1, Duration.ofHours(1));
    madeAt("u-gone", clock.instant());
    removalPending("u-a");
    removalPending("u-b");
    RemovalGuard.Cycle cycle = timed.cycle();
    assertThat(cycle.holds("u-a", "m-u-a", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 2 pending"));

    clock.tick(Duration.ofHours(1));
    madeAt("u-b", clock.instant());

    assertThat(cycle.holds("u-a", "m-u-a", NONE_UNLINKED))
        .hasValueSatisfying(why -> assertThat(why).startsWith("1 removals in the last 1h and 1 pending"));
  }

  /** The audit row of {@code userId}'s removal, made {@code at}. */
  void madeAt(String userId, Instant at) {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) "
        + "VALUES (" + at.toEpochMilli() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')"));
  }

  /** Removing no unlinked leaver's member (none has its create in doubt, and no adoption). */
  static final RemovalGuard.Removing NONE_UNLINKED = new RemovalGuard.Removing(false, u -> false);

  /** {@code userId}'s removal made as the reconciler makes it: its audit row, its link dropped and its approval spent, its row done. */
  void removed(String userId) {
    db.write(c -> {
      c.createStatement().executeUpdate("INSERT INTO reconcile_audit (at, entity_type, scim_id, action, result) VALUES ("
          + System.currentTimeMillis() + ", 'USER', '" + userId + "', 'REMOVE_MEMBER', 'ok')");
      c.createStatement().executeUpdate("DELETE FROM link WHERE entity_type = 'USER' AND scim_id = '" + userId + "'");
      guard.consume(c, userId);
      return null;
    });
    WorkQueue queue = queue();
    queue.claim(1_000).forEach(item -> queue.record(item, item.key().scimId().equals(userId) ? new WorkQueue.Fate.Done()
        : new WorkQueue.Fate.Release(), List.of()));
  }

  /**
   * Random sequences of what reaches the work table ({@link #randomStep}), approvals of held
   * removals, removals made and the window moving on: at each step a cycle's checks, which share one
   * count through the whole sequence, answer as fresh counts do, word for word. With adoption and
   * without, each unlinked leaver's member listed or not by its email. Fixed seeds.
   */
  @Test
  void overRandomSequencesACyclesChecksAnswerAsFreshCounts() {
    DesiredFixture fixture = new DesiredFixture(db, queue(), Clock.systemUTC());
    int held = 0;
    int passed = 0;
    for (long seed : new long[] {11, 12, 13, 14, 15, 16}) {
      Random random = new Random(seed);
      // the removals made are stamped with the time it is: each seed's hour starts now
      SettableClock clock = new SettableClock(Instant.now());
      RemovalGuard fresh = new RemovalGuard(db, clock, 10, 2, Duration.ofHours(1));
      RemovalGuard.Removing removing = new RemovalGuard.Removing(seed % 2 == 0, u -> u.email().hashCode() % 3 != 0);
      RemovalGuard.Cycle cycle = fresh.cycle();
      List<String> users = new ArrayList<>();
      List<String> gone = new ArrayList<>();
      for (int step = 0; step < 120; step++) {
        String name = "c" + seed + "-" + step;
        switch (users.size() < 4 ? -1 : random.nextInt(6)) {
          case 0 -> fresh.approveHeld(queue(), fresh.held().stream().filter(h -> random.nextBoolean()).toList());
          case 1 -> removed(users.get(random.nextInt(users.size())));
          case 2 -> clock.tick(Duration.ofMinutes(random.nextInt(10)));
          default -> randomStep(random, fixture, users, gone, name);
        }
        for (String id : List.of(users.isEmpty() ? "u-none" : users.get(random.nextInt(users.size())),
            gone.isEmpty() ? "u-none" : gone.get(random.nextInt(gone.size())))) {
          Optional<String> shared = cycle.holds(id, "m-" + id, removing);
          assertThat(shared).as("seed %d, step %d, %s", seed, step, id).isEqualTo(fresh.holds(id, "m-" + id, removing));
          held += shared.isPresent() ? 1 : 0;
          passed += shared.isEmpty() ? 1 : 0;
        }
      }
    }
    assertThat(held).as("holds").isGreaterThan(100);
    assertThat(passed).as("passes").isGreaterThan(100);
  }

  private void randomStep(Random random, DesiredFixture fixture, List<String> users, List<String> gone, String name) {
    WorkQueue queue = queue();
    String some = users.isEmpty() ? null : users.get(random.nextInt(users.size()));
    String any = !gone.isEmpty() && random.nextInt(4) == 0 ? gone.get(random.nextInt(gone.size())) : some;
    switch (users.size() < 4 ? 0 : random.nextInt(14)) {
      case 0 -> users.add(fixture.user(name + "@corp.example", "Given", "Family", null));
      case 1 -> fixture.set(some, "active", random.nextInt(3) == 0 ? 1 : 0);
      case 2 -> fixture.set(some, random.nextBoolean() ? "given_name" : "role", random.nextBoolean() ? null : "Admin");
      case 3 -> {
        fixture.deleteUser(some);
        users.remove(some);
        gone.add(some);
      }
      case 4 -> db.write(c -> c.createStatement().executeUpdate(new LinkStore(db).get(EntityType.USER, any).isEmpty()
          ? "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at, okta_role_id) VALUES ('USER', '" + any
              + "', 'm-" + any + "', 'CREATED', 0, " + List.of("NULL", "'r-default'", "'r-admin'").get(random.nextInt(3)) + ")"
          : "DELETE FROM link WHERE entity_type = 'USER' AND scim_id = '" + any + "'"));
      case 5 -> db.write(c -> {
        new IntentStore(db).record(c, EntityType.USER, new Intent(any, name + "@doubt.example", Set.of(), Instant.now()));
        return null;
      });
      case 6 -> fixture.group("Team " + name, users.subList(0, 1 + random.nextInt(users.size() - 1)));
      case 7, 8 -> {
        List<WorkItem> claimed = queue.claim(1 + random.nextInt(4));
        for (WorkItem item : claimed) {
          queue.record(item, switch (random.nextInt(6)) {
            case 0 -> new WorkQueue.Fate.Done();
            case 1 -> new WorkQueue.Fate.Retry(Instant.now().plusSeconds(random.nextInt(2) * 3600L), "failed", true,
                random.nextBoolean());
            case 2 -> new WorkQueue.Fate.Dead("refused", random.nextBoolean());
            case 3 -> new WorkQueue.Fate.Hold("mass-removal guard", "m-" + item.key().scimId());
            case 4 -> new WorkQueue.Fate.Skipped("the token's owner");
            default -> new WorkQueue.Fate.Release();
          }, List.of());
        }
        // one left RUNNING, as a worker has it
        queue.claim(random.nextInt(2));
      }
      case 9 -> queue.revive(null, random.nextBoolean() ? WorkState.DEAD : WorkState.HELD);
      case 10 -> queue.list(random.nextBoolean() ? WorkState.DEAD : WorkState.HELD, 3)
          .forEach(w -> queue.skip(w.key(), w.generation()));
      case 11 -> queue.nudge(ResourceKey.user(any), random.nextBoolean());
      case 12 -> db.write(c -> {
        queue.enqueue(c, ResourceKey.user(any), random.nextBoolean() ? WorkQueue.Access.GIVEN_BACK : WorkQueue.Access.UNTOLD);
        return null;
      });
      default -> {
        if (random.nextBoolean()) {
          removalMade(any);
        } else {
          users.add(fixture.user(name + "@corp.example", "Given", "Family", null));
        }
      }
    }
  }

  /**
   * The guard's reads walk the queued rows of users who left and of removals (work_guard), not the
   * primary key (SQLite's planner took that, which reads every user's row, settled or not) nor every
   * queued row (work_due: a backlog of creates with them): the creates in doubt first, without
   * adoption, and the upper bound reads indexes only.
   */
  @Test
  void theGuardsReadsWalkTheQueuedLeaversOnly() {
    assumeTrue(store().location() instanceof StoreLocation.SqliteFile, "SQLite's query plan");
    for (String sql : List.of(RemovalGuard.pendingSql(Dialect.SQLITE), RemovalGuard.unlinkedLeaversSql(Dialect.SQLITE, false),
        RemovalGuard.boundSql(Dialect.SQLITE))) {
      assertThat(plan(sql)).as(sql).contains("SEARCH w USING COVERING INDEX work_guard (state=?)").doesNotContain("SCAN w")
          .doesNotContain("work_due").doesNotContain("SEARCH w USING PRIMARY KEY (entity_type=?)");
    }
    assertThat(plan(RemovalGuard.unlinkedLeaversSql(Dialect.SQLITE, true))).startsWith("SEARCH i USING PRIMARY KEY")
        .contains("SEARCH w USING PRIMARY KEY (entity_type=? AND entity_id=?)");
    assertThat(plan(RemovalGuard.boundSql(Dialect.SQLITE)).lines().filter(l -> l.startsWith("SEARCH")))
        .hasSize(4).allMatch(l -> l.contains("USING COVERING INDEX") || l.equals("SEARCH journal")); // MAX(rowid): its last row
    // the take-backs from the links with a role, as the share's base counts them
    assertThat(plan(RemovalGuard.takeBacksSql(Dialect.SQLITE))).startsWith("SEARCH l USING PRIMARY KEY (entity_type=?)")
        .contains("SEARCH w USING PRIMARY KEY (entity_type=? AND entity_id=?)").doesNotContain("work_due");
  }

  String plan(String sql) {
    return db.read(c -> {
      StringBuilder detail = new StringBuilder();
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          detail.append(rs.getString("detail")).append('\n');
        }
      }
      return detail.toString();
    });
  }
}
