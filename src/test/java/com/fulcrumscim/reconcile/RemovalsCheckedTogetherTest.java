package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.emulator.DeleteFault;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The member removals of one cycle are checked by one read of the member list made after all their
 * DELETEs, instead of a read by id each: N removals cost N + 1 calls. A removal is still done only
 * when that read finds the member gone, member by member, and no outcome is recorded before it.
 */
class RemovalsCheckedTogetherTest extends EndToEnd {
  static final String GET_BY_ID = "GET /api/v2/memberships/{id}.json";

  /** Users pushed and linked, the member list cached: their SCIM ids. */
  List<String> pushed(int n) {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(h.okta.user(email(i), "P", "No" + i, null));
    }
    h.settle();
    return users;
  }

  static String email(int i) {
    return "p" + i + "@corp.example";
  }

  /** An organization of one full page before the bridge pushes anyone: its member list takes more than one call. */
  static Seed onePageFull() {
    List<Seed.SeedMember> many = new ArrayList<>();
    for (int i = 0; i < FulcrumSettings.MAX_PAGE_SIZE; i++) {
      many.add(new Seed.SeedMember("seed-" + i, null, "seed" + i + "@corp.example", "S", "No" + i, null, false, "active"));
    }
    return new Seed(null, null, many, null);
  }

  List<AuditEntry> removalRows() {
    return new AuditLog(h.db, h.clock).list(null, 1000).stream().filter(e -> e.action().equals("REMOVE_MEMBER")).toList();
  }

  void deactivateAll(List<String> users) {
    h.fulcrum.calls().reset();
    users.forEach(u -> h.okta.set(u, "active", 0));
  }

  @Test
  void fiveRemovalsInOneCycleCostTheirDeletesAndOneReadOfTheMemberList() {
    start();
    List<String> users = pushed(5);
    deactivateAll(users);
    h.runOnce();

    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(5);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
    assertThat(calls(GET_BY_ID)).isZero();
    assertThat(h.calls()).isEqualTo(5 + 1);
    assertThat(users).allSatisfy(u -> {
      assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE);
      assertThat(new LinkStore(h.db).get(EntityType.USER, u)).isEmpty();
    });
    assertThat(h.fulcrum.members()).noneMatch(m -> m.email().startsWith("p"));
  }

  /**
   * Past one page the list is not read: over several, a member can slip onto a page already read
   * (another removed by hand as someone is added) and look removed while the person keeps access.
   */
  @Test
  void inAnOrganizationOfMoreThanOnePageEachRemovalIsReadBackById() {
    start(ReconcileHarness.Options.defaults().withSeed(onePageFull()));
    List<String> users = pushed(3);
    deactivateAll(users);
    h.runOnce();

    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(3);
    assertThat(calls(GET_BY_ID)).isEqualTo(3);
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isZero();
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
  }

  /** Restarts the bridge on a client that asks Fulcrum for {@code perPage} members a page; the caller closes it. */
  HttpFulcrumClient restartedReading(int perPage) {
    HttpFulcrumClient paged = new HttpFulcrumClient(FulcrumSettings.of(h.fulcrum.baseUrl(), ReconcileHarness.TOKEN, 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(perPage), new SimpleMeterRegistry(), h.clock, h.clock::tick,
        FulcrumCallListener.NONE);
    h.restart(paged);
    return paged;
  }

  /**
   * Whether the list came in one page is the read's word, not a count of its members: Fulcrum may
   * page a small organization (here two members a page), and the removals are then read back by id.
   */
  @Test
  void inAnOrganizationListedOverSeveralPagesOfFewMembersEachRemovalIsReadBackById() {
    start();
    List<String> users = pushed(3);
    try (HttpFulcrumClient paged = restartedReading(2)) {
      deactivateAll(users);
      h.runOnce();

      assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(3);
      assertThat(calls(GET_BY_ID)).as("each removal read back by id").isEqualTo(3);
      assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    }
  }

  /**
   * The copy at hand came in one page; four people invited by hand since take the list past it,
   * the three removed included: the read after the DELETEs takes two pages, and its word decides.
   */
  @Test
  void aListThatCameInOnePageAndNowTakesTwoHasItsRemovalsReadBackById() {
    start();
    int before = h.fulcrum.members().size();
    try (HttpFulcrumClient paged = restartedReading(before + 3)) {
      List<String> users = pushed(3);
      deactivateAll(users);
      for (int i = 0; i < 4; i++) {
        h.http.createMember(new MemberFields("hand" + i + "@corp.example", "H", "No" + i, null));
      }
      h.fulcrum.calls().reset();
      h.runOnce();

      assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(3);
      assertThat(calls(FulcrumClient.MEMBERS_LIST)).as("the list read again after the DELETEs, over two pages").isEqualTo(2);
      assertThat(calls(GET_BY_ID)).as("each removal read back by id").isEqualTo(3);
      assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    }
  }

  /**
   * Read back by id, a cycle's removals are read on the loop's workers, as many at once as
   * reconcile.parallelism lets keys be reconciled: one after another, 16 removals at 200 ms a
   * call took 4.3 s instead of 1.9 s. The emulator sees the reads arrive together.
   */
  @Test
  void theReadsByIdOfACyclesRemovalsGoOutTogetherUpToTheParallelism() {
    start(ReconcileHarness.Options.defaults().withSeed(onePageFull()));
    List<String> users = pushed(8);
    deactivateAll(users);
    h.fulcrum.faults().latency(Duration.ofMillis(200));
    h.runOnce();
    h.fulcrum.faults().latency(Duration.ZERO);

    assertThat(calls(GET_BY_ID)).isEqualTo(8);
    assertThat(h.fulcrum.calls().mostInFlight(GET_BY_ID)).as("reads by id handled at once")
        .isGreaterThan(1).isLessThanOrEqualTo(h.options().parallelism());
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
  }

  /** The copy at hand was one page; people invited by hand since took the organization past it: the read decides. */
  @Test
  void anOrganizationThatGrewPastOnePageSinceItWasReadHasItsRemovalsReadBackById() {
    List<Seed.SeedMember> many = new ArrayList<>();
    for (int i = 0; i < FulcrumSettings.MAX_PAGE_SIZE - 5; i++) {
      many.add(new Seed.SeedMember("seed-" + i, null, "seed" + i + "@corp.example", "S", "No" + i, null, false, "active"));
    }
    start(ReconcileHarness.Options.defaults().withSeed(new Seed(null, null, many, null)));
    List<String> users = pushed(3);
    deactivateAll(users);
    for (int i = 0; i < 10; i++) {
      h.http.createMember(new MemberFields("hand" + i + "@corp.example", "H", "No" + i, null));
    }
    h.fulcrum.calls().reset();
    h.runOnce();

    assertThat(calls(FulcrumClient.MEMBER_DELETE)).isEqualTo(3);
    assertThat(calls(GET_BY_ID)).isEqualTo(3);
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
  }

  @Test
  void aDeleteAnswered204ThatRemovesNothingFailsOnlyItsOwnKeyWhichIsRetried() {
    start();
    List<String> users = pushed(3);
    FulcrumMember kept = inFulcrum(email(0));
    h.fulcrum.deleteFault(kept.id(), DeleteFault.IGNORED);
    deactivateAll(users);
    h.runOnce();

    WorkItem row = h.row(ResourceKey.user(users.get(0)));
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.lastError()).contains("Fulcrum answered 204 to removing member " + kept.id() + " (" + email(0)
        + ") but still has it (read back in the member list); the link stays");
    assertThat(new LinkStore(h.db).get(EntityType.USER, users.get(0))).as("link kept while Fulcrum has the member").isPresent();
    assertThat(users.subList(1, 3)).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    assertThat(calls(FulcrumClient.MEMBER_DELETE) + calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(h.calls()).isEqualTo(3 + 1);

    h.fulcrum.deleteFault(kept.id(), null);
    h.settle();
    assertThat(h.fulcrum.member(kept.id())).isEmpty();
    assertThat(h.row(ResourceKey.user(users.get(0))).state()).isEqualTo(WorkState.DONE);
    assertThat(new LinkStore(h.db).get(EntityType.USER, users.get(0))).isEmpty();
  }

  /**
   * Someone invites the person again by hand right after the bridge's DELETE: Fulcrum has the email
   * again (a new member), and the list read after the DELETE shows it. Not done: the key fails as
   * retryable, and its next plan meets the rule for a member invited again by hand.
   */
  @Test
  void aMemberInvitedAgainByHandBetweenTheDeleteAndTheCheckKeepsItsKeyFromBeingDone() {
    start();
    List<String> users = pushed(2);
    FulcrumMember removed = inFulcrum(email(0));
    h.fulcrum.deleteFault(removed.id(), DeleteFault.INVITED_AGAIN);
    deactivateAll(users);
    h.runOnce();

    FulcrumMember byHand = inFulcrum(email(0));
    WorkItem row = h.row(ResourceKey.user(users.get(0)));
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.lastError()).contains("Fulcrum answered 204 to removing member " + removed.id() + " (" + email(0)
        + ") but has " + email(0) + " again, as new member " + byHand.id() + " (read back in the member list)");
    assertThat(new LinkStore(h.db).get(EntityType.USER, users.get(0))).isPresent();
    assertThat(h.row(ResourceKey.user(users.get(1))).state()).isEqualTo(WorkState.DONE);

    h.settle();
    assertThat(h.fulcrum.member(byHand.id())).as("not the bridge's to remove").isPresent();
    assertThat(h.row(ResourceKey.user(users.get(0))).state()).isEqualTo(WorkState.DEAD);
    assertThat(h.row(ResourceKey.user(users.get(0))).lastError())
        .contains("member " + byHand.id() + " (" + email(0) + "), not managed by the bridge, still has access");
  }

  @Test
  void aDeleteWhoseAnswerIsLostIsDecidedByTheSameListRead() {
    start();
    List<String> users = pushed(2);
    FulcrumMember lost = inFulcrum(email(0));
    h.fulcrum.deleteFault(lost.id(), DeleteFault.ANSWER_LOST);
    deactivateAll(users);
    h.runOnce();

    assertThat(h.fulcrum.member(lost.id())).isEmpty();
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    assertThat(calls(FulcrumClient.MEMBERS_LIST)).isEqualTo(1);
    assertThat(calls(GET_BY_ID)).isZero();
  }

  /**
   * The check of a removal can come long after its DELETE (the cycle's other DELETEs go first, at
   * the pace of fulcrum.calls_per_hour): the removal's audit row says when the DELETE was made.
   */
  @Test
  void aRemovalsAuditRowHasTheTimeOfItsDeleteNotOfItsCheck() {
    start();
    List<String> users = pushed(3);
    List<Instant> deletedAt = new CopyOnWriteArrayList<>();
    AtomicReference<Instant> checkedFrom = new AtomicReference<>();
    FulcrumClient timed = UserPushTest.afterCalls(h.http, Set.of("deleteMember"), name -> deletedAt.add(h.clock.instant()));
    h.restart(UserPushTest.replacing(timed, "members", args -> {
      if (deletedAt.size() == users.size()) {
        checkedFrom.set(h.clock.instant());
        h.clock.tick(Duration.ofMinutes(30));
      }
      return null;
    }));
    deactivateAll(users);
    h.runOnce();

    Instant firstDelete = deletedAt.stream().min(Comparator.naturalOrder()).orElseThrow();
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    assertThat(removalRows()).hasSize(3).allSatisfy(e -> {
      assertThat(e.result()).isEqualTo("ok");
      assertThat(e.at()).isBetween(firstDelete.truncatedTo(ChronoUnit.MILLIS), checkedFrom.get());
    });
  }

  /**
   * Okta deletes a person and gives their email to another managed user in the same batch: that
   * user's member has it by the time the removals are checked. It is that user's, not the person
   * invited again by hand: the removal is done at once, and its audit row says whose the member is.
   */
  @Test
  void aMemberAnotherManagedUserIsGivenTheEmailOfInTheSameCycleIsNoReasonToRetryTheRemoval() {
    start(ReconcileHarness.Options.defaults().withParallelism(3));
    List<String> users = pushed(3);
    FulcrumMember leaving = inFulcrum(email(0));
    FulcrumMember taking = inFulcrum(email(2));
    h.restart(UserPushTest.replacing(h.http, "updateMember", args -> {
      // Fulcrum gives an email only once the member that had it is gone
      await().atMost(Duration.ofSeconds(10)).until(() -> h.fulcrum.member(leaving.id()).isEmpty());
      return null;
    }));
    h.okta.deleteUser(users.get(0));
    h.okta.set(users.get(1), "active", 0);
    h.okta.replaceUser(users.get(2), email(0), "P", "No2", null);
    h.runOnce();

    assertThat(h.fulcrum.member(taking.id()).orElseThrow().email()).isEqualTo(email(0));
    assertThat(users).allSatisfy(u -> assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE));
    assertThat(new LinkStore(h.db).get(EntityType.USER, users.get(0))).isEmpty();
    assertThat(removalRows()).filteredOn(e -> e.fulcrumId().equals(leaving.id())).singleElement().satisfies(e -> {
      assertThat(e.result()).isEqualTo("ok");
      assertThat(e.detail()).contains("Fulcrum member " + taking.id() + " (" + email(0) + ") is left in place: it belongs to "
          + ResourceKey.user(users.get(2)) + ", which manages it");
    });
  }

  /** What goes wrong at the check of the cycle's removals, from the check's read of the member list on. */
  enum CheckFailure {
    /** Not a FulcrumException (a bug, an answer the client could not take): not the read's word on Fulcrum. */
    UNEXPECTED_EXCEPTION_FROM_THE_READ("unreadable member list") {
      @Override
      void raise() {
        throw new IllegalStateException(message);
      }
    },
    /** Something other than a failed read: it escapes the check itself. */
    ERROR_ESCAPING_THE_CHECK("simulated failure at the check of the removals") {
      @Override
      void raise() {
        throw new Error(message);
      }
    };

    final String message;

    CheckFailure(String message) {
      this.message = message;
    }

    abstract void raise();
  }

  /** Once the cycle's {@code removals} DELETEs went out, the check's read of the member list runs {@code failing}, which throws. */
  void theCheckReadFails(int removals, Runnable failing) {
    AtomicInteger deletes = new AtomicInteger();
    FulcrumClient counting = UserPushTest.afterCalls(h.http, Set.of("deleteMember"), name -> deletes.incrementAndGet());
    h.restart(UserPushTest.replacing(counting, "members", args -> {
      if (deletes.get() == removals) {
        failing.run();
      }
      return null;
    }));
  }

  /**
   * The check fails ({@code how}): every removal of the cycle still gets its outcome, retried with
   * the link kept, and its audit row recording its DELETE: it was made, and no read after it said
   * whether it took. The next cycle completes them. Before, an Error left the rows waiting for the
   * next cycle without an outcome, and no audit row recorded the DELETEs.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(CheckFailure.class)
  void aCheckThatFailsRetriesEveryRemovalWithItsLinkAndAuditsItsDelete(CheckFailure how) {
    start();
    List<String> users = pushed(3);
    theCheckReadFails(users.size(), how::raise);
    deactivateAll(users);
    h.runOnce();

    assertThat(users).allSatisfy(u -> {
      WorkItem row = h.row(ResourceKey.user(u));
      assertThat(row.state()).isEqualTo(WorkState.RETRYING);
      assertThat(row.lastError()).contains("not read back", how.message, "the link stays");
      assertThat(new LinkStore(h.db).get(EntityType.USER, u)).isPresent();
    });
    assertThat(removalRows()).hasSize(3).allSatisfy(e -> assertThat(e.result()).startsWith("failed: ")
        .contains("Fulcrum answered 204", "not read back", how.message));

    h.restart(h.http);
    h.settle();
    assertThat(users).allSatisfy(u -> {
      assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.DONE);
      assertThat(new LinkStore(h.db).get(EntityType.USER, u)).isEmpty();
    });
  }

  /**
   * The cycle's thread is interrupted while a worker is still sending its removal's DELETE: the
   * cycle ends without waiting for it, and the removal's check is over before it asks for one.
   * Its key still gets an outcome (retried, with the DELETE's audit row) instead of keeping its row
   * RUNNING until a restart.
   */
  @Test
  void aRemovalSentAfterItsCycleWasInterruptedIsRetriedNotLeftRunning() throws Exception {
    start();
    List<String> users = pushed(1);
    CountDownLatch deleted = new CountDownLatch(1);
    CountDownLatch cycleOver = new CountDownLatch(1);
    h.restart(UserPushTest.afterCalls(h.http, Set.of("deleteMember"), name -> {
      deleted.countDown();
      awaitQuietly(cycleOver);
    }));
    deactivateAll(users);
    Thread cycle = new Thread(h::runOnce, "interrupted-cycle");
    cycle.start();
    assertThat(deleted.await(10, TimeUnit.SECONDS)).isTrue();
    cycle.interrupt();
    cycle.join(10_000);
    assertThat(cycle.isAlive()).isFalse();
    cycleOver.countDown();

    ResourceKey key = ResourceKey.user(users.get(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> h.row(key).state() != WorkState.RUNNING);
    assertThat(h.row(key).state()).isEqualTo(WorkState.RETRYING);
    assertThat(new LinkStore(h.db).get(EntityType.USER, users.get(0))).isPresent();
    await().atMost(Duration.ofSeconds(10)).until(() -> removalRows().size() == 1);
    assertThat(removalRows().get(0).result()).startsWith("failed: ").contains("not read back");

    h.settle();
    assertThat(h.row(key).state()).isEqualTo(WorkState.DONE);
    assertThat(h.fulcrum.members()).noneMatch(m -> m.email().startsWith("p"));
  }

  /**
   * The cycle's thread is interrupted at the check of its removals (here by its list read, which
   * then fails): the checks the workers had not taken are not made, and each of those removals
   * still gets its outcome, retried with its DELETE's audit row, while the thread keeps its
   * interrupt for whoever runs the cycle.
   */
  @Test
  void aCycleInterruptedAtTheCheckOfItsRemovalsStillRetriesEachWithItsAuditRow() {
    start();
    List<String> users = pushed(3);
    theCheckReadFails(users.size(), () -> {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at the check of the removals");
    });
    deactivateAll(users);
    h.runOnce();
    assertThat(Thread.interrupted()).as("the cycle's thread keeps its interrupt").isTrue();

    assertThat(users).allSatisfy(u -> {
      assertThat(h.row(ResourceKey.user(u)).state()).isEqualTo(WorkState.RETRYING);
      assertThat(new LinkStore(h.db).get(EntityType.USER, u)).isPresent();
    });
    assertThat(removalRows()).hasSize(3).allSatisfy(e -> assertThat(e.result()).startsWith("failed: ").contains("not read back"));
  }

  /** Waits for {@code latch}; an interrupt does not end the wait, and is kept for the caller. */
  static void awaitQuietly(CountDownLatch latch) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("waited 10 s for the test");
          }
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
