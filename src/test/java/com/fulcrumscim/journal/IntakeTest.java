package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntakeTest {
  @TempDir Path dir;
  final ObjectMapper json = new ObjectMapper();
  final ResourceNormalizer normalizer = new ResourceNormalizer();
  final SettableClock clock = new SettableClock();
  final AtomicInteger accepted = new AtomicInteger();
  Database db;
  WorkQueue queue;
  Intake intake;

  @BeforeEach
  void open() {
    db = Database.open(store());
    queue = new WorkQueue(db, clock);
    UserStore users = new UserStore(json);
    intake = new Intake(db, queue, users, new GroupStore(json), new JournalStore(), new Tombstones(), clock, StallWatch.none(), () -> {
      // runs after the commit: the committed rows are visible to another connection
      assertThat(count("SELECT count(*) FROM journal")).isPositive();
      accepted.incrementAndGet();
    });
  }

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("i.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  ObjectNode user(String userName) {
    try {
      return normalizer.user(json.readTree("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
          + "\"userName\":\"" + userName + "\",\"active\":true}"), null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  ObjectNode group(String name, String... members) {
    ObjectNode g = json.createObjectNode();
    g.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Group");
    g.put("displayName", name);
    var m = g.putArray("members");
    for (String id : members) {
      m.addObject().put("value", id);
    }
    return normalizer.group(g);
  }

  IntakeRequest req(JsonNode body) {
    return new IntakeRequest("req-1", body == null ? null : body.toString());
  }

  long count(String sql) {
    return db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  List<String> journalOps() {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (ResultSet rs = c.createStatement().executeQuery("SELECT entity_type || ' ' || op FROM journal ORDER BY id")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  @Test
  void aNewResourcesIdIsTimeOrderedFromItsCreation() {
    StoredResource first = intake.create(EntityType.USER, user("first@example.com"), req(null));
    clock.tick(java.time.Duration.ofMillis(5));
    StoredResource second = intake.create(EntityType.USER, user("second@example.com"), req(null));

    assertThat(java.util.UUID.fromString(first.id()).getMostSignificantBits() >>> 16).isEqualTo(first.created().toEpochMilli());
    assertThat(second.id()).isGreaterThan(first.id());
  }

  @Test
  void aCreateWritesTheUserAJournalRowAndAWorkRowThenSignals() {
    StoredResource u = intake.create(EntityType.USER, user("a@example.com"), req(user("a@example.com")));
    assertThat(count("SELECT count(*) FROM scim_user")).isEqualTo(1);
    assertThat(journalOps()).containsExactly("USER CREATE");
    assertThat(queue.get(ResourceKey.user(u.id())).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    assertThat(accepted.get()).isEqualTo(1);
  }

  @Test
  void theJournalKeepsTheRequestIdAndTheTextItIsGiven() {
    intake.create(EntityType.USER, user("p@example.com"), new IntakeRequest("rid-77", "{\"userName\":\"p@example.com\"}"));
    String row = db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery("SELECT request_id || ' ' || body FROM journal")) {
        rs.next();
        return rs.getString(1);
      }
    });
    assertThat(row).isEqualTo("rid-77 {\"userName\":\"p@example.com\"}");
  }

  @Test
  void anUpdateThatChangesNothingWritesNothingAndKeepsTheVersion() {
    StoredResource u = intake.create(EntityType.USER, user("same@example.com"), req(null));
    StoredResource again = intake.update(EntityType.USER, u.id(), v -> true, JournalOp.REPLACE,
        old -> user("same@example.com"), req(null));
    assertThat(again.version()).isEqualTo(1);
    assertThat(journalOps()).containsExactly("USER CREATE");
    assertThat(accepted.get()).isEqualTo(1);
  }

  @Test
  void aFailedChangeRollsBackEverything() {
    intake.create(EntityType.USER, user("taken@example.com"), req(null));
    StoredResource other = intake.create(EntityType.USER, user("other@example.com"), req(null));
    assertThatThrownBy(() -> intake.update(EntityType.USER, other.id(), v -> true, JournalOp.REPLACE,
        old -> user("TAKEN@example.com"), req(null))).isInstanceOfSatisfying(IntakeRejected.class, e -> assertThat(e.reason()).isEqualTo(IntakeRejected.Reason.NAME_TAKEN));
    assertThat(journalOps()).hasSize(2);
    assertThat(queue.get(ResourceKey.user(other.id())).orElseThrow().generation()).isEqualTo(1);
  }

  @Test
  void deletingAUserEnqueuesAndVersionsTheGroupsItLeft() {
    StoredResource u = intake.create(EntityType.USER, user("member@example.com"), req(null));
    StoredResource g = intake.create(EntityType.GROUP, group("G", u.id()), req(null));
    long generationBefore = queue.get(ResourceKey.group(g.id())).orElseThrow().generation();
    intake.delete(EntityType.USER, u.id(), v -> true, req(null));
    assertThat(count("SELECT count(*) FROM scim_group_member")).isZero();
    assertThat(queue.get(ResourceKey.group(g.id())).orElseThrow().generation()).isEqualTo(generationBefore + 1);
    assertThat(count("SELECT version FROM scim_group")).isEqualTo(2);
    assertThat(journalOps()).containsExactly("USER CREATE", "GROUP CREATE", "USER DELETE");
  }

  /** The delete removes the only record of the email its member had; its tombstone keeps it for the reconciler. */
  @Test
  void deletingAUserKeepsItsLastUserNameAndEmailInATombstone() {
    StoredResource u = intake.create(EntityType.USER, user("leaver@example.com"), req(null));
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
        old -> old.doc().deepCopy().put("userName", "Leaver@Example.com"), req(null));
    intake.delete(EntityType.USER, u.id(), v -> true, req(null));

    java.util.Optional<DeletedUser> kept = db.read(c -> new Tombstones().find(c, u.id()));
    assertThat(kept).contains(new DeletedUser(u.id(), "Leaver@Example.com", "Leaver@Example.com", "Leaver@Example.com"));
  }

  @Test
  void aDeleteRefusedByIfMatchLeavesNoTombstone() {
    StoredResource u = intake.create(EntityType.USER, user("kept@example.com"), req(null));
    assertThatThrownBy(() -> intake.delete(EntityType.USER, u.id(), v -> false, req(null)))
        .isInstanceOf(IntakeRejected.class);

    assertThat(count("SELECT count(*) FROM user_tombstone")).isZero();
  }

  /** What Okta sees of a deleted user is unchanged by its tombstone: not found, not listed, its userName free. */
  @Test
  void aDeletedUsersTombstoneHidesNothingFromScimAndLeavesItsUserNameFree() {
    StoredResource u = intake.create(EntityType.USER, user("again@example.com"), req(null));
    intake.delete(EntityType.USER, u.id(), v -> true, req(null));
    UserStore users = new UserStore(json);

    java.util.Optional<StoredResource> found = db.read(c -> users.find(c, u.id(), true));
    long listed = db.read(users::count);
    assertThat(found).isEmpty();
    assertThat(listed).isZero();
    StoredResource again = intake.create(EntityType.USER, user("again@example.com"), req(null));
    assertThat(again.id()).isNotEqualTo(u.id());
    assertThat(count("SELECT count(*) FROM user_tombstone")).isEqualTo(1);
  }

  @Test
  void changingAUsersActiveFlagEnqueuesItsGroupsAndOtherChangesDoNot() {
    StoredResource u = intake.create(EntityType.USER, user("flip@example.com"), req(null));
    StoredResource g = intake.create(EntityType.GROUP, group("G", u.id()), req(null));
    long generationBefore = queue.get(ResourceKey.group(g.id())).orElseThrow().generation();
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
        old -> user("flip@example.com").put("displayName", "Flip"), req(null));
    assertThat(queue.get(ResourceKey.group(g.id())).orElseThrow().generation()).isEqualTo(generationBefore);
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
        old -> user("flip@example.com").put("active", false), req(null));
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
        old -> user("flip@example.com"), req(null));
    assertThat(queue.get(ResourceKey.group(g.id())).orElseThrow().generation()).isEqualTo(generationBefore + 2);
  }

  /** What a reconciler does to the work queue when every due key turns out settled. */
  void reconcileEverythingDue() {
    queue.claim(100).forEach(queue::done);
  }

  /** A user deactivated whose work row then ended {@code state}: DEAD (out of retries) or HELD (the guard). */
  StoredResource deactivatedWithWorkRow(String userName, WorkState state) {
    StoredResource u = intake.create(EntityType.USER, user(userName), req(null));
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> user(userName).put("active", false), req(null));
    WorkItem item = queue.claim(100).stream().filter(w -> w.key().equals(ResourceKey.user(u.id()))).findFirst().orElseThrow();
    if (state == WorkState.DEAD) {
      queue.dead(item, "Fulcrum answered 503 until the retry budget ran out");
    } else {
      queue.hold(item, "mass-removal guard");
    }
    assertThat(queue.get(ResourceKey.user(u.id())).orElseThrow().state()).isEqualTo(state);
    return u;
  }

  @Test
  void aDeactivationSentAgainRevivesItsDeadChangeWithAFreshBudgetAndWritesNothingElse() {
    StoredResource u = deactivatedWithWorkRow("dead@example.com", WorkState.DEAD);
    long journalRows = count("SELECT count(*) FROM journal");
    StoredResource again = intake.update(EntityType.USER, u.id(), v -> true, JournalOp.REPLACE,
        old -> user("dead@example.com").put("active", false), req(null));
    WorkItem row = queue.get(ResourceKey.user(u.id())).orElseThrow();
    assertThat(row.state()).isEqualTo(WorkState.PENDING);
    assertThat(row.attempts()).isZero();
    assertThat(again.version()).as("the user itself is unchanged").isEqualTo(2);
    assertThat(count("SELECT count(*) FROM journal")).isEqualTo(journalRows);
  }

  @Test
  void aDeactivationSentAgainLeavesARemovalTheGuardHeldHeld() {
    StoredResource u = deactivatedWithWorkRow("held@example.com", WorkState.HELD);
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.REPLACE,
        old -> user("held@example.com").put("active", false), req(null));
    assertThat(queue.get(ResourceKey.user(u.id())).orElseThrow().state()).isEqualTo(WorkState.HELD);
  }

  @Test
  void anActiveUsersUnchangedUpdateLeavesItsDeadChangeDead() {
    StoredResource u = intake.create(EntityType.USER, user("role@example.com"), req(null));
    queue.dead(queue.claim(100).get(0), "unknown role");
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.REPLACE, old -> user("role@example.com"), req(null));
    assertThat(queue.get(ResourceKey.user(u.id())).orElseThrow().state()).isEqualTo(WorkState.DEAD);
  }

  @Test
  void reactivatingAUserRequeuesAGroupThatTookItInWhileTheReactivationWasComputed() {
    StoredResource u = intake.create(EntityType.USER, user("back@example.com"), req(null));
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> user("back@example.com").put("active", false), req(null));
    StoredResource g = intake.create(EntityType.GROUP, group("G"), req(null));
    reconcileEverythingDue();
    intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> {
      // Okta's group push adds the user while its reactivation is computed, and the group is
      // reconciled before the reactivation commits: the user is still inactive, so it is left out
      intake.update(EntityType.GROUP, g.id(), v -> true, JournalOp.PATCH, o -> group("G", u.id()), req(null));
      reconcileEverythingDue();
      return user("back@example.com");
    }, req(null));
    assertThat(queue.get(ResourceKey.group(g.id())).orElseThrow().state()).isEqualTo(WorkState.PENDING);
  }

  StoredResource committed(ResourceStore store, String id) {
    return db.read(c -> store.find(c, id, true).orElseThrow());
  }

  @Test
  void anUpdateAnswersTheResourceExactlyAsAReadOfItsCommittedRowDoes() {
    UserStore users = new UserStore(json);
    GroupStore groups = new GroupStore(json);
    StoredResource a = intake.create(EntityType.USER, user("a@example.com"), req(null));
    StoredResource b = intake.create(EntityType.USER, user("b@example.com"), req(null));
    StoredResource g = intake.create(EntityType.GROUP, group("Crew", a.id()), req(null));
    clock.tick(Duration.ofSeconds(3));

    StoredResource renamed = intake.update(EntityType.GROUP, g.id(), v -> true, JournalOp.REPLACE,
        old -> group("Crew Two", a.id(), b.id()), req(null));
    StoredResource titled = intake.update(EntityType.USER, a.id(), v -> true, JournalOp.PATCH,
        old -> old.doc().deepCopy().put("title", "Pilot"), req(null));

    assertThat(renamed).isEqualTo(committed(groups, g.id()));
    assertThat(renamed.references()).extracting(StoredResource.Reference::id).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(titled).isEqualTo(committed(users, a.id()));
    assertThat(titled.references()).containsExactly(new StoredResource.Reference(g.id(), "Crew Two"));
    assertThat(titled.version()).isEqualTo(a.version() + 1);
    assertThat(titled.lastModified()).isEqualTo(clock.instant()).isAfter(titled.created());
  }

  @Test
  void anUpdatedUsersGroupsAreThoseCommittedWithItNotThoseSeenWhenTheChangeWasComputed() {
    StoredResource a = intake.create(EntityType.USER, user("a@example.com"), req(null));
    StoredResource g = intake.create(EntityType.GROUP, group("Before", a.id()), req(null));
    StoredResource result = intake.update(EntityType.USER, a.id(), v -> true, JournalOp.PATCH, old -> {
      // a group change does not move the user's version, so this change is not computed again
      intake.update(EntityType.GROUP, g.id(), v -> true, JournalOp.REPLACE, o -> group("After", a.id()), req(null));
      return old.doc().deepCopy().put("title", "Pilot");
    }, req(null));
    assertThat(result.references()).containsExactly(new StoredResource.Reference(g.id(), "After"));
  }

  @Test
  void aStaleVersionIs412AndChangesNothing() {
    StoredResource u = intake.create(EntityType.USER, user("v@example.com"), req(null));
    assertThatThrownBy(() -> intake.delete(EntityType.USER, u.id(), v -> v == 9, req(null)))
        .isInstanceOfSatisfying(IntakeRejected.class, e -> assertThat(e.reason()).isEqualTo(IntakeRejected.Reason.VERSION_MISMATCH));
    assertThat(count("SELECT count(*) FROM scim_user")).isEqualTo(1);
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void aChangeIsComputedOutsideTheWriterAndRecomputedWhenAnotherWriteGotThereFirst() {
    StoredResource u = intake.create(EntityType.USER, user("race@example.com"), req(null));
    AtomicInteger computed = new AtomicInteger();
    StoredResource result = intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> {
      if (computed.getAndIncrement() == 0) {
        // another client's write lands while this change is being computed (inside the writer it could not)
        intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
            o -> o.doc().deepCopy().put("displayName", "Concurrent"), req(null));
      }
      return old.doc().deepCopy().put("title", "Outer");
    }, req(null));
    assertThat(computed.get()).as("computed again on the newer version").isEqualTo(2);
    assertThat(result.doc().path("displayName").asText()).isEqualTo("Concurrent");
    assertThat(result.doc().path("title").asText()).isEqualTo("Outer");
    assertThat(result.version()).isEqualTo(3);
    assertThat(journalOps()).containsExactly("USER CREATE", "USER PATCH", "USER PATCH");
  }

  @Test
  @org.junit.jupiter.api.Timeout(60)
  void updatesOfOneResourceAtOnceTakeTurnsSoNoneIsComputedTwice() throws Exception {
    StoredResource u = intake.create(EntityType.USER, user("turns@example.com"), req(null));
    int updates = 40;
    AtomicInteger computed = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(updates);
    ExecutorService pool = Executors.newFixedThreadPool(updates);
    try {
      List<Future<StoredResource>> done = new ArrayList<>();
      for (int i = 0; i < updates; i++) {
        String title = "t" + i;
        done.add(pool.submit(() -> {
          start.await();
          return intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> {
            computed.incrementAndGet();
            return old.doc().deepCopy().put("title", title);
          }, req(null));
        }));
      }
      List<Long> versions = new ArrayList<>();
      for (var f : done) {
        versions.add(f.get().version());
      }
      assertThat(versions).containsExactlyInAnyOrderElementsOf(
          LongStream.rangeClosed(2, updates + 1).boxed().toList());
    } finally {
      pool.shutdownNow();
    }
    assertThat(computed.get()).as("each change computed once, on the version it commits over").isEqualTo(updates);
    assertThat(journalOps()).hasSize(1 + updates);
  }

  @Test
  void aChangeToAUserDeletedWhileItWasComputedIsNotFoundAndStoresNothing() {
    StoredResource u = intake.create(EntityType.USER, user("gone@example.com"), req(null));
    assertThatThrownBy(() -> intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> {
      intake.delete(EntityType.USER, u.id(), v -> true, req(null));
      return old.doc().deepCopy().put("title", "Too late");
    }, req(null))).isInstanceOfSatisfying(IntakeRejected.class, e -> assertThat(e.reason()).isEqualTo(IntakeRejected.Reason.NOT_FOUND));
    assertThat(journalOps()).containsExactly("USER CREATE", "USER DELETE");
  }

  @Test
  void aChangeMadeOnAVersionWhoseNameWasSinceTakenIsComputedAgainNotRefused() {
    StoredResource u = intake.create(EntityType.USER, user("old@example.com"), req(null));
    AtomicInteger computed = new AtomicInteger();
    StoredResource result = intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH, old -> {
      if (computed.getAndIncrement() == 0) {
        // meanwhile the user is renamed, and another user takes the name it had
        intake.update(EntityType.USER, u.id(), v -> true, JournalOp.PATCH,
            o -> o.doc().deepCopy().put("userName", "new@example.com"), req(null));
        intake.create(EntityType.USER, user("old@example.com"), req(null));
      }
      return old.doc().deepCopy().put("title", "Outer");
    }, req(null));
    assertThat(computed.get()).as("computed again on the renamed version").isEqualTo(2);
    assertThat(result.doc().path("userName").asText()).isEqualTo("new@example.com");
    assertThat(result.doc().path("title").asText()).isEqualTo("Outer");
  }

  @Test
  void aDeactivationIsClaimedBeforeTheCreatesQueuedAheadOfIt() {
    StoredResource leaver = settled(intake.create(EntityType.USER, user("leaver@example.com"), req(null)));
    queueCreates(3);
    intake.update(EntityType.USER, leaver.id(), v -> true, JournalOp.PATCH,
        old -> old.doc().deepCopy().put("active", false), req(null));

    assertThat(queue.claim(1)).extracting(WorkItem::key).containsExactly(ResourceKey.user(leaver.id()));
  }

  @Test
  void aDeletedUserIsClaimedBeforeTheCreatesQueuedAheadOfIt() {
    StoredResource leaver = settled(intake.create(EntityType.USER, user("leaver@example.com"), req(null)));
    queueCreates(3);
    intake.delete(EntityType.USER, leaver.id(), v -> true, req(null));

    assertThat(queue.claim(1)).extracting(WorkItem::key).containsExactly(ResourceKey.user(leaver.id()));
  }

  @Test
  void aMemberTakenOutOfAGroupIsClaimedBeforeTheCreatesQueuedAheadOfIt() {
    StoredResource member = settled(intake.create(EntityType.USER, user("member@example.com"), req(null)));
    StoredResource team = settled(intake.create(EntityType.GROUP, group("Team", member.id()), req(null)));
    queueCreates(3);
    intake.update(EntityType.GROUP, team.id(), v -> true, JournalOp.PATCH, old -> group("Team"), req(null));

    assertThat(queue.claim(1)).extracting(WorkItem::key).containsExactly(ResourceKey.group(team.id()));
  }

  @Test
  void aProfileChangeOrANewMemberWaitsItsTurn() {
    StoredResource member = settled(intake.create(EntityType.USER, user("member@example.com"), req(null)));
    StoredResource team = settled(intake.create(EntityType.GROUP, group("Team"), req(null)));
    queueCreates(1);
    intake.update(EntityType.USER, member.id(), v -> true, JournalOp.PATCH,
        old -> old.doc().deepCopy().put("title", "Lead"), req(null));
    intake.update(EntityType.GROUP, team.id(), v -> true, JournalOp.PATCH, old -> group("Team", member.id()), req(null));

    assertThat(queue.claim(1)).extracting(WorkItem::key).singleElement()
        .matches(k -> k.type() == EntityType.USER && !k.scimId().equals(member.id()), "the create queued first");
  }

  /** {@code r}'s work row claimed and done, as the reconciler leaves it; later changes queue behind newer work. */
  private StoredResource settled(StoredResource r) {
    clock.tick(WorkQueue.GROUP_SETTLE); // a group's row waits for Okta's next chunk
    WorkItem item = queue.claim(10).stream().filter(w -> w.key().scimId().equals(r.id())).findFirst().orElseThrow();
    queue.done(item);
    clock.tick(Duration.ofSeconds(1));
    return r;
  }

  private void queueCreates(int n) {
    for (int i = 0; i < n; i++) {
      intake.create(EntityType.USER, user("new" + i + "@example.com"), req(null));
    }
    clock.tick(Duration.ofSeconds(1));
  }
}
