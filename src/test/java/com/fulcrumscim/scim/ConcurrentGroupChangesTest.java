package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients changing one group at once, over loopback HTTP against the real receiver: what Okta
 * does when an admin assigns a group to many people, or pushes a group while its members change
 * (or are deleted, as Entra deletes users).
 * Okta does not send a failed PATCH again (it becomes an admin task), so every change must be
 * answered 2xx and stored, and the group must end as the changes, applied one at a time in the
 * order their answers' versions say, leave it: a removal answered 2xx and then lost keeps a person
 * in a group Okta took them out of.
 */
@Timeout(180)
class ConcurrentGroupChangesTest {
  static final int CLIENTS = 60;

  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  // a thread per client: they all wait at one barrier
  final ExecutorService pool = Executors.newCachedThreadPool();

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    server.close();
  }

  @Test
  void sixtyMemberAddsToOneGroupAtOnceAreAllAnsweredAndAllStored() throws Exception {
    List<String> users = users(CLIENTS);
    String groupId = newGroup("Everyone");

    List<Response> answers = atOnce(users.stream().<Supplier<Response>>map(u -> () -> add(groupId, u)).toList());

    assertThat(answers).extracting(Response::status).containsOnly(204);
    Response stored = http.get("/Groups/" + groupId);
    assertThat(memberIds(stored)).containsExactlyInAnyOrderElementsOf(users);
    assertThat(stored.version()).as("one version per change").isEqualTo(1 + CLIENTS);
  }

  @Test
  void addsAndRemovesOfOneGroupAtOnceEndWithEachMembersLastAcknowledgedState() throws Exception {
    List<String> users = users(CLIENTS);
    String groupId = newGroup("Shifting", users.subList(0, CLIENTS / 2).toArray(String[]::new));
    Random random = new Random(7);
    Set<String> expected = new HashSet<>();
    List<Supplier<Response>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      String member = users.get(i);
      boolean present = i < CLIENTS / 2;
      int changes = 2 + random.nextInt(3);
      // each client sends its member's changes one after another, each a real change: in, out, in...
      if (present == (changes % 2 == 0)) {
        expected.add(member);
      }
      clients.add(() -> {
        boolean in = present;
        for (int c = 0; c < changes; c++) {
          Response r = in ? remove(groupId, member) : add(groupId, member);
          if (r.status() != 204) {
            return r;
          }
          in = !in;
        }
        return http.get("/Groups/" + groupId + "?attributes=id");
      });
    }

    List<Response> last = atOnce(clients);

    assertThat(last).as("every change answered 204").extracting(Response::status).containsOnly(200);
    assertThat(memberIds(http.get("/Groups/" + groupId))).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aPutRacingMemberAddsOfTheSameGroupIsAppliedWholeInItsTurn() throws Exception {
    List<String> users = users(CLIENTS + 2);
    String kept = users.get(0);
    String putOnly = users.get(CLIENTS + 1);
    List<String> added = users.subList(1, CLIENTS + 1);
    String groupId = newGroup("Before", kept);
    List<Supplier<Response>> calls = new ArrayList<>();
    // Okta's AIW push: the whole group, renamed, with the members it knows of then
    calls.add(() -> http.put("/Groups/" + groupId, group("After", kept, putOnly)));
    added.forEach(u -> calls.add(() -> add(groupId, u)));

    List<Response> answers = atOnce(calls);

    assertThat(answers.get(0).status()).isEqualTo(200);
    assertThat(answers.subList(1, answers.size())).extracting(Response::status).containsOnly(204);
    assertThat(answers).extracting(Response::version).as("each change committed on its own version")
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, CLIENTS + 2).mapToObj(v -> (long) v).toList());
    long putVersion = answers.get(0).version();
    Set<String> expected = new HashSet<>(List.of(kept, putOnly));
    for (int i = 0; i < added.size(); i++) {
      if (answers.get(i + 1).version() > putVersion) {
        expected.add(added.get(i));
      }
    }
    Response stored = http.get("/Groups/" + groupId);
    assertThat(stored.json().path("displayName").asText()).isEqualTo("After");
    assertThat(memberIds(stored)).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * A user's delete takes it out of its groups and changes them, while a group's change locks its
   * members: on PostgreSQL the two must lock those rows in one order, or they deadlock, each a
   * second's wait, and a request that meets one at every attempt was answered 500. The store must
   * end as the answers say: a deleted user in no group, every other member as its last change left it.
   */
  @Test
  void memberChangesOfGroupsWhileTheirMembersAreDeletedAreAllAnsweredAndLeaveTheStoreAsAnswered() throws Exception {
    List<String> users = users(24);
    List<String> groups = IntStream.range(0, 4).mapToObj(g -> newGroup("Racing " + g, users.toArray(String[]::new)))
        .toList();
    Set<String> deleted = new HashSet<>(users.subList(0, users.size() / 2));
    Random random = new Random(11);
    Set<String> expected = new HashSet<>();
    List<Supplier<Response>> clients = new ArrayList<>();
    for (String g : groups) {
      for (String u : users) {
        int changes = 2 + random.nextInt(3);
        // every member starts in every group: out, in, out... and stays as its last change left it
        if (changes % 2 == 0 && !deleted.contains(u)) {
          expected.add(g + " " + u);
        }
        clients.add(() -> {
          Response r = null;
          for (int c = 0; c < changes && (r == null || r.status() == 204); c++) {
            r = c % 2 == 0 ? remove(g, u) : add(g, u);
          }
          return r;
        });
      }
    }
    for (String u : deleted) {
      long pause = random.nextInt(200);
      clients.add(() -> {
        sleep(pause);
        return http.delete("/Users/" + u);
      });
    }

    List<Response> answers = atOnce(clients);

    assertThat(answers).as("every change answered 204").extracting(Response::status).containsOnly(204);
    assertThat(storedMemberships()).containsExactlyInAnyOrderElementsOf(expected);
    for (String u : deleted) {
      assertThat(http.get("/Users/" + u).status()).isEqualTo(404);
    }
    server.close(); // its sessions end, and with them the store's count of the deadlocks they met
    assertThat(deadlocksBroken()).as("deadlocks the database had to break").isZero();
  }

  /** How many deadlocks the store broke since the test began, asked once the receiver stopped; SQLite's one writer has none. */
  long deadlocksBroken() throws Exception {
    return 0;
  }

  /** "groupId userId" of every membership row, read from the store: the HTTP answers join users and hide a dangling one. */
  Set<String> storedMemberships() {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        Set<String> rows = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT group_id, user_id FROM scim_group_member");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(rs.getString(1) + " " + rs.getString(2));
          }
        }
        return rows;
      });
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends every call at the same instant, each from its own thread; the answers in the calls' order. */
  List<Response> atOnce(List<Supplier<Response>> calls) throws Exception {
    CyclicBarrier start = new CyclicBarrier(calls.size());
    List<Future<Response>> pending = new ArrayList<>();
    for (Supplier<Response> call : calls) {
      pending.add(pool.submit(() -> {
        start.await();
        return call.get();
      }));
    }
    List<Response> answers = new ArrayList<>();
    for (Future<Response> f : pending) {
      answers.add(f.get());
    }
    return answers;
  }

  Response add(String groupId, String userId) {
    return http.patch("/Groups/" + groupId, patch(
        "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + userId + "\",\"display\":\"x\"}]}"));
  }

  Response remove(String groupId, String userId) {
    return http.patch("/Groups/" + groupId, patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + userId + "\\\"]\"}"));
  }

  List<String> users(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Response r = http.post("/Users", user("member" + i + "@corp.example"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      ids.add(r.json().path("id").asText());
    }
    return ids;
  }

  String newGroup(String name, String... members) {
    Response r = http.post("/Groups", group(name, members));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  static List<String> memberIds(Response group) {
    List<String> ids = new ArrayList<>();
    group.json().path("members").forEach(m -> ids.add(m.path("value").asText()));
    return ids;
  }
}
