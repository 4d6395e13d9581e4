package com.fulcrumscim.reconcile;

import static com.fulcrumscim.testing.PagedFulcrum.json;
import static com.fulcrumscim.testing.PagedFulcrum.member;
import static com.fulcrumscim.testing.PagedFulcrum.page;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.testing.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A removal the check's one-page member list decides, while another worker reloads that list before
 * the removal is looked up in it: the reload comes in pages and misses Cy, whose DELETE removed
 * nothing. Taken from that copy, her removal would be done while she keeps access (review-s11d G1's
 * shape, in {@link RemovalChecks}).
 */
class RemovalCheckedOnAReloadedListTest {
  private static final String CY = "cy@corp.example";

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  Database db;
  HttpFulcrumClient client;
  Observer observer;
  final Fulcrum fulcrum = new Fulcrum();

  @BeforeEach
  void open() {
    server.setDispatcher(fulcrum);
    db = Database.open(TestStore.sqlite(dir.resolve("bridge.db")).location());
    client = new HttpFulcrumClient(FulcrumSettings.of(server.url("/").toString(), "tok", 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(2), new SimpleMeterRegistry(), Clock.systemUTC(),
        Sleeper.REAL, FulcrumCallListener.NONE);
    ReconcileSettings settings = new ReconcileSettings(false, null, false, Map.of(), "", false,
        Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(70));
    observer = new Reconciler(client, db, new RemovalGuard(db, Clock.systemUTC(), 10, 20, Duration.ofHours(1)),
        settings, Clock.systemUTC()).readSide().observer;
  }

  @AfterEach
  void close() {
    client.close();
    db.close();
  }

  @Test
  void aMemberAReloadOverSeveralPagesMissedSinceTheCheckReadTheListIsReadBackById() {
    assertThat(MemberRemovalCheck.KIND.relist(observer)).as("the check's read, one page").isTrue();
    fulcrum.paged.set(true);
    observer.members.invalidate(); // another worker's reload, over two pages
    observer.members.ensure();

    MemberRemovalCheck.Found found = MemberRemovalCheck.KIND.inList(observer, attempt(), removalOfCy());

    assertThat(found.still()).map(FulcrumMember::id).contains("m-cy");
    assertThat(found.listed()).isFalse();
  }

  @Test
  void aMemberTheCheckReadsGoneInTheWholeListIsNotReadAgain() {
    fulcrum.cyGone.set(true);
    assertThat(MemberRemovalCheck.KIND.relist(observer)).isTrue();

    MemberRemovalCheck.Found found = MemberRemovalCheck.KIND.inList(observer, attempt(), removalOfCy());

    assertThat(found.still()).isEmpty();
    assertThat(fulcrum.readsById.get()).isZero();
  }

  private static Attempt attempt() {
    return Attempt.planOnly(ResourceKey.user("okta-cy"));
  }

  private static MemberRemovalCheck.Sent removalOfCy() {
    return new MemberRemovalCheck.Sent("m-cy", CY, null, new ConfirmedDelete.Sent(204, null), Instant.now());
  }

  /** Fulcrum listing the owner and Cy in one page, or ({@code paged}) over two pages that miss Cy. */
  private static final class Fulcrum extends Dispatcher {
    final AtomicBoolean paged = new AtomicBoolean();
    final AtomicBoolean cyGone = new AtomicBoolean();
    final AtomicInteger readsById = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      if (path.equals("/api/v2/memberships/m-cy.json")) {
        readsById.incrementAndGet();
        return json("{\"membership\":" + member("m-cy", CY) + "}");
      }
      if (path.equals("/api/v2/memberships.json")) {
        int page = Integer.parseInt(request.getUrl().queryParameter("page"));
        if (paged.get()) {
          return json(page == 1 ? page(List.of(member("m-owner", "owner@corp.example"), member("m-other", "other@corp.example")), 1, 2, 3)
              : page(List.of(member("m-joiner", "joiner@corp.example")), 2, 2, 3));
        }
        List<String> all = cyGone.get() ? List.of(member("m-owner", "owner@corp.example"))
            : List.of(member("m-owner", "owner@corp.example"), member("m-cy", CY));
        return json(page(all, 1, 1, all.size()));
      }
      return new MockResponse(404, Headers.of("Content-Type", "application/json"), "{}");
    }
  }
}
