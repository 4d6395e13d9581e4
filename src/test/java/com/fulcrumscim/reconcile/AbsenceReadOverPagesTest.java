package com.fulcrumscim.reconcile;

import static com.fulcrumscim.testing.PagedFulcrum.TAKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.testing.DesiredFixture;
import com.fulcrumscim.testing.PagedFulcrum;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user Okta deactivated or deleted that the bridge never linked, while a member invited by hand has the
 * user's email: the plan must see that member, or the deprovisioning ends done while the person
 * keeps access. Fulcrum lists the organization over several pages, and the first walk through them
 * misses that member ({@link PagedFulcrum}). Likewise the member a create in doubt made.
 */
class AbsenceReadOverPagesTest {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  Database db;
  HttpFulcrumClient client;
  DesiredFixture okta;

  @BeforeEach
  void open() {
    db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
    client = new HttpFulcrumClient(FulcrumSettings.of(server.url("/").toString(), "tok", 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(2), new SimpleMeterRegistry(), Clock.systemUTC(),
        Sleeper.REAL, FulcrumCallListener.NONE);
    okta = new DesiredFixture(db, new WorkQueue(db, Clock.systemUTC()), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    client.close();
    db.close();
  }

  private Plan planOfLeaversNamesake(PagedFulcrum fulcrum, Leaving how, boolean adoptExisting) {
    server.setDispatcher(fulcrum);
    String user = okta.user(TAKEN, "Taken", "ByHand", null);
    how.leave(okta, user);
    return reconciler(adoptExisting).readSide().plan(ResourceKey.user(user));
  }

  private Reconciler reconciler(boolean adoptExisting) {
    ReconcileSettings settings = new ReconcileSettings(adoptExisting, null, false, Map.of(), "", false,
        Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
    return new Reconciler(client, db, new RemovalGuard(db, Clock.systemUTC(), 10, 20, Duration.ofHours(1)),
        settings, Clock.systemUTC());
  }

  /**
   * The user's create is in doubt (its POST's answer was lost): the member list at hand was read
   * before it, in an earlier cycle, when Okta takes the user away.
   */
  private Plan planOfLeaverWithACreateInDoubt(PagedFulcrum fulcrum, Leaving how) {
    server.setDispatcher(fulcrum);
    String other = okta.user("other@corp.example", "O", "T", null);
    String user = okta.user(TAKEN, "Taken", "InDoubt", null);
    db.write(c -> {
      new IntentStore(db).record(c, EntityType.USER, new Intent(user, TAKEN, Set.of(), Instant.now()));
      return null;
    });
    Reconciler reconciler = reconciler(false);
    reconciler.readSide().plan(ResourceKey.user(other)); // an earlier cycle's plan reads the list
    how.leave(okta, user);
    reconciler.beginCycle();
    return reconciler.readSide().plan(ResourceKey.user(user));
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberAPagedListSkippedWhileItsCountHeldIsFoundBeforeTheDeprovisioningEndsDone(Leaving how) {
    PagedFulcrum fulcrum = PagedFulcrum.skippingTheNamesake(true);

    Plan plan = planOfLeaversNamesake(fulcrum, how, false);

    assertThat(plan.isBlocked()).as("not done: the person keeps access").isTrue();
    assertThat(plan.blocked().keepsAccess()).isTrue();
    assertThat(plan.blocked().reason()).contains("m-taken").contains(TAKEN);
    assertThat(fulcrum.listWalks()).as("one more walk through the list, for this deprovisioning").isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Leaving.class)
  void aMemberAPagedListWithoutTotalCountSkippedIsFoundBeforeTheDeprovisioningEndsDone(Leaving how) {
    Plan plan = planOfLeaversNamesake(PagedFulcrum.skippingTheNamesake(false), how, false);

    assertThat(plan.isBlocked()).as("not done: the person keeps access").isTrue();
    assertThat(plan.blocked().reason()).contains("m-taken");
  }

  /** users.adopt_existing: the member the second read found is adopted and removed. */
  @Test
  void withAdoptionTheMemberTheSecondReadFoundIsRemoved() {
    Plan plan = planOfLeaversNamesake(PagedFulcrum.skippingTheNamesake(true), Leaving.DEACTIVATED, true);

    assertThat(plan.actions()).contains(new Action.RemoveMember("m-taken", null));
  }

  /** One page (any organization of up to 20,000 members fits in one answer): its word stands, no extra call. */
  @Test
  void aListReadInOneAnswerIsNotReadAgain() {
    PagedFulcrum fulcrum = PagedFulcrum.onePageWithoutTheNamesake();

    Plan plan = planOfLeaversNamesake(fulcrum, Leaving.DEACTIVATED, false);

    assertThat(plan.isEmpty()).as("nobody has the email: done").isTrue();
    assertThat(fulcrum.listWalks()).isEqualTo(1);
  }

  /**
   * The first read after the create is the one re-read for the create in doubt; over several pages
   * it can miss the member, and a second must miss it too before the intent is dropped.
   */
  @ParameterizedTest
  @EnumSource(Leaving.class)
  void theMemberACreateInDoubtMadeIsRemovedThoughTheFirstPagedReadAfterTheCreateSkippedIt(Leaving how) {
    PagedFulcrum fulcrum = PagedFulcrum.madeAfterTheFirstWalkAndSkippedByTheSecond();

    Plan plan = planOfLeaverWithACreateInDoubt(fulcrum, how);

    assertThat(plan.actions()).as("the member the bridge made keeps no access").contains(new Action.RemoveMember("m-taken", null));
    assertThat(fulcrum.listWalks()).as("the cached walk, the create's re-read and the absence's").isEqualTo(3);
  }

  /** In one page the create's re-read is whole: its word stands, no extra call. */
  @Test
  void aCreateInDoubtsReadInOneAnswerIsNotReadAgain() {
    PagedFulcrum fulcrum = PagedFulcrum.onePageWithoutTheNamesake();

    Plan plan = planOfLeaverWithACreateInDoubt(fulcrum, Leaving.DEACTIVATED);

    assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Action.Unlink.class,
        u -> assertThat(u.why()).startsWith("a create that left no member"));
    assertThat(fulcrum.listWalks()).as("the cached walk and the create's re-read").isEqualTo(2);
  }

  /**
   * A reconciler paused on a read Fulcrum refused probes that read at each cycle (and every node of
   * a paused cluster checks its own token with it): one call, not the organization's size.
   */
  @Test
  void aRefusedMemberListIsProbedWithOneCallHoweverManyPagesTheOrganizationTakes() {
    server.setDispatcher(PagedFulcrum.skippingTheNamesake(true));

    assertThat(reconciler(false).probe(Optional.of(FulcrumClient.MEMBERS_LIST))).isEmpty();

    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aMemberListStillRefusedKeepsThePause() {
    server.enqueue(new MockResponse.Builder().code(403).body("{\"error\":\"forbidden\"}").build());

    assertThat(reconciler(false).probe(Optional.of(FulcrumClient.MEMBERS_LIST)))
        .get().isInstanceOf(FulcrumException.Forbidden.class);
  }
}
