package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two bridge nodes (two receivers, two pools) on one PostgreSQL database, written at the same
 * moment: uniqueness, ETags and paging hold as they do with SQLite's one writer.
 */
@RequiresPostgres
class TwoNodesOnPostgresTest {
  static final int ROUNDS = 15;

  ScimTestServer nodeA;
  ScimTestServer nodeB;
  ScimHttp a;
  ScimHttp b;
  final ExecutorService pool = Executors.newFixedThreadPool(2);

  @BeforeEach
  void startTwoNodes() {
    TestStore store = TestStore.freshPostgres();
    nodeA = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    nodeB = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    a = nodeA.http();
    b = nodeB.http();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    nodeA.close();
    nodeB.close();
  }

  /** Runs both at the same instant and answers their statuses, sorted. */
  List<Integer> atOnce(Supplier<ScimHttp.Response> first, Supplier<ScimHttp.Response> second) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    CompletableFuture<ScimHttp.Response> one = CompletableFuture.supplyAsync(() -> { await(start); return first.get(); }, pool);
    CompletableFuture<ScimHttp.Response> two = CompletableFuture.supplyAsync(() -> { await(start); return second.get(); }, pool);
    List<Integer> statuses = new ArrayList<>(List.of(one.get().status(), two.get().status()));
    statuses.sort(null);
    return statuses;
  }

  static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theSameUserNameOnTwoNodesAtOnceIsOneCreatedAndOneConflict() throws Exception {
    for (int i = 0; i < ROUNDS; i++) {
      String name = "ada" + i + "@corp.example";
      List<Integer> statuses = atOnce(() -> a.post("/Users", user(name)), () -> b.post("/Users", user(name.toUpperCase())));
      assertThat(statuses).as("round " + i).containsExactly(201, 409);
    }
    assertThat(a.get("/Users?count=0").json().path("totalResults").asInt()).isEqualTo(ROUNDS);
  }

  @Test
  void theSameGroupNameOnTwoNodesAtOnceIsOneCreatedAndOneConflict() throws Exception {
    for (int i = 0; i < ROUNDS; i++) {
      String name = "Engines " + i;
      List<Integer> statuses = atOnce(() -> a.post("/Groups", group(name)), () -> b.post("/Groups", group(name.toLowerCase())));
      assertThat(statuses).as("round " + i).containsExactly(201, 409);
    }
  }

  @Test
  void twoPatchesWithTheSameIfMatchOnTwoNodesAreOneSuccessAndOne412() throws Exception {
    for (int i = 0; i < ROUNDS; i++) {
      String id = a.post("/Users", user("grace" + i + "@corp.example")).json().path("id").asText();
      Map<String, String> ifMatch = Map.of("If-Match", "W/\"1\"");
      List<Integer> statuses = atOnce(
          () -> a.send("PATCH", "/Users/" + id, patch(replace("name.givenName", "FromA")), ifMatch),
          () -> b.send("PATCH", "/Users/" + id, patch(replace("name.familyName", "FromB")), ifMatch));
      assertThat(statuses).as("round " + i).containsExactly(200, 412);
      assertThat(a.get("/Users/" + id).header("ETag")).isEqualTo("W/\"2\"");
    }
  }

  @Test
  void patchesWithoutIfMatchOnTwoNodesAllLandAndEachTakesOneVersion() throws Exception {
    String id = a.post("/Users", user("ada@corp.example")).json().path("id").asText();
    int each = 20;
    CyclicBarrier start = new CyclicBarrier(2);
    CompletableFuture<Void> onA = CompletableFuture.runAsync(() -> {
      await(start);
      for (int i = 0; i < each; i++) {
        assertThat(a.patch("/Users/" + id, patch(replace("name.givenName", "A" + i))).status()).isEqualTo(200);
      }
    }, pool);
    CompletableFuture<Void> onB = CompletableFuture.runAsync(() -> {
      await(start);
      for (int i = 0; i < each; i++) {
        assertThat(b.patch("/Users/" + id, patch(replace("name.familyName", "B" + i))).status()).isEqualTo(200);
      }
    }, pool);
    onA.get();
    onB.get();

    ScimHttp.Response last = b.get("/Users/" + id);
    assertThat(last.header("ETag")).isEqualTo("W/\"" + (1 + 2 * each) + "\"");
    assertThat(last.json().path("name").path("givenName").asText()).isEqualTo("A" + (each - 1));
    assertThat(last.json().path("name").path("familyName").asText()).isEqualTo("B" + (each - 1));
  }

  @Test
  void memberAddsToOneGroupFromBothNodesAtOnceAreAllAnsweredAndAllStored() throws Exception {
    int each = 30;
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 2 * each; i++) {
      users.add(a.post("/Users", user("member" + i + "@corp.example")).json().path("id").asText());
    }
    String groupId = a.post("/Groups", group("Everyone")).json().path("id").asText();
    ExecutorService clients = Executors.newFixedThreadPool(2 * each);
    try {
      // Okta behind a round-robin balancer: half of one burst of assignments reaches each node
      CyclicBarrier start = new CyclicBarrier(2 * each);
      List<CompletableFuture<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        ScimHttp node = i % 2 == 0 ? a : b;
        String body = patch("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + users.get(i) + "\"}]}");
        answers.add(CompletableFuture.supplyAsync(() -> {
          await(start);
          return node.patch("/Groups/" + groupId, body).status();
        }, clients));
      }
      for (CompletableFuture<Integer> answer : answers) {
        assertThat(answer.get()).isEqualTo(204);
      }
    } finally {
      clients.shutdownNow();
    }
    ScimHttp.Response stored = b.get("/Groups/" + groupId);
    List<String> members = new ArrayList<>();
    stored.json().path("members").forEach(m -> members.add(m.path("value").asText()));
    assertThat(members).containsExactlyInAnyOrderElementsOf(users);
    assertThat(stored.version()).isEqualTo(1 + 2 * each);
  }

  @Test
  void aPagedWalkOnOneNodeWhileTheOtherCreatesShowsNoUserTwiceAndMissesNoneThatWasThere() throws Exception {
    Set<String> before = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      before.add(a.post("/Users", user("before" + i + "@corp.example")).json().path("id").asText());
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    // two writers, one per node, so inserts on PostgreSQL really interleave
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (ScimHttp node : List.of(a, b)) {
      String prefix = node == a ? "a" : "b";
      writers.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 80; i++) {
          assertThat(node.post("/Users", user("during-" + prefix + i + "@corp.example")).status()).isEqualTo(201);
        }
      }, pool));
    }
    CompletableFuture<Void> allWritten = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new))
        .whenComplete((v, e) -> writing.set(false));
    int walks = 0;
    do {
      List<String> seen = walk(walks % 2 == 0 ? b : a, 7);
      assertThat(new HashSet<>(seen)).as("walk %d: no user twice", walks).hasSize(seen.size());
      assertThat(seen).as("walk %d: every user created before it", walks).containsAll(before);
      walks++;
    } while (writing.get());
    allWritten.get();
    assertThat(walk(a, 7)).hasSize(60 + 160);
  }

  @Test
  void aPagedWalkAcrossBothNodesAfterTheOtherNodeDeletedUsersServesEveryRemainingUserOnce() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      created.add(a.post("/Users", user("paged" + i + "@corp.example")).json().path("id").asText());
    }
    // a first walk leaves node A remembering where startIndex 11 and 21 begin
    assertThat(walk(a, 10)).containsExactlyElementsOf(created);
    for (String id : created.subList(0, 5)) {
      assertThat(b.delete("/Users/" + id).status()).isEqualTo(204);
    }
    // Okta's import behind a round-robin balancer: each page from whichever node
    List<String> seen = new ArrayList<>();
    List<ScimHttp> nodes = List.of(b, a, b);
    for (int page = 0; page < nodes.size(); page++) {
      JsonNode list = nodes.get(page).get("/Users?startIndex=" + (1 + 10 * page) + "&count=10").json();
      assertThat(list.path("totalResults").asInt()).isEqualTo(25);
      list.path("Resources").forEach(r -> seen.add(r.path("id").asText()));
    }
    assertThat(seen).containsExactlyElementsOf(created.subList(5, 30));
  }

  /** Every id of /Users in pages of {@code count}, by startIndex, in the default (creation) order. */
  static List<String> walk(ScimHttp http, int count) {
    List<String> ids = new ArrayList<>();
    for (int start = 1; ; start += count) {
      JsonNode page = http.get("/Users?startIndex=" + start + "&count=" + count).json();
      page.path("Resources").forEach(r -> ids.add(r.path("id").asText()));
      if (page.path("Resources").size() < count) {
        return ids;
      }
    }
  }

  static String replace(String path, String value) {
    return "{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"" + value + "\"}";
  }
}
