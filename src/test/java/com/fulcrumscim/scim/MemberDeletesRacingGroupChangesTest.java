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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group memberships changed while some of the members are deleted, all at once over loopback HTTP:
 * Entra deletes users while Okta or Entra pushes the groups they are in. A user's delete takes it
 * out of its groups and changes them, while a group's change checks that its members exist: the two
 * lock the same rows, and on PostgreSQL they must do it in one order, or they deadlock and the
 * request that loses is answered 500 (and not sent again by Okta). Every change must be answered
 * 2xx, and the store must end as the answers say: a deleted user in no group, every other member
 * as its last acknowledged change left it.
 */
@Timeout(180)
class MemberDeletesRacingGroupChangesTest {
  static final int USERS = 24;
  static final int GROUPS = 4;

  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
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
  void memberChangesOfGroupsWhileTheirMembersAreDeletedAreAllAnsweredAndLeaveTheStoreAsAnswered() throws Exception {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      Response r = http.post("/Users", user("racer" + i + "@corp.example"));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      users.add(r.json().path("id").asText());
    }
    List<String> groups = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      Response r = http.post("/Groups", group("Racing " + g, users.toArray(String[]::new)));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      groups.add(r.json().path("id").asText());
    }
    Set<String> deleted = new HashSet<>(users.subList(0, USERS / 2));
    Random random = new Random(11);
    Set<String> expected = new HashSet<>();
    List<Supplier<List<Response>>> clients = new ArrayList<>();
    for (String g : groups) {
      for (String u : users) {
        int changes = 2 + random.nextInt(3);
        // every member starts in every group: out, in, out... and stays as its last change left it
        if (changes % 2 == 0 && !deleted.contains(u)) {
          expected.add(g + " " + u);
        }
        clients.add(() -> {
          List<Response> answers = new ArrayList<>();
          for (int c = 0; c < changes; c++) {
            answers.add(c % 2 == 0 ? remove(g, u) : add(g, u));
          }
          return answers;
        });
      }
    }
    for (String u : deleted) {
      long pause = random.nextInt(200);
      clients.add(() -> {
        sleep(pause);
        return List.of(http.delete("/Users/" + u));
      });
    }

    List<Response> answers = atOnce(clients);

    assertThat(answers).as("every change answered 204").extracting(Response::status).containsOnly(204);
    assertThat(storedMemberships()).containsExactlyInAnyOrderElementsOf(expected);
    for (String u : deleted) {
      assertThat(http.get("/Users/" + u).status()).isEqualTo(404);
    }
    server.close(); // its sessions end, and with them the store's count of the deadlocks they met
    assertThat(deadlocksBroken()).as("deadlocks the database had to break (each a second's wait, and a retry)").isZero();
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

  /** Starts every client at the same instant, each on its own thread; all their answers. */
  List<Response> atOnce(List<Supplier<List<Response>>> clients) throws Exception {
    CyclicBarrier start = new CyclicBarrier(clients.size());
    List<Future<List<Response>>> pending = new ArrayList<>();
    for (Supplier<List<Response>> client : clients) {
      pending.add(pool.submit(() -> {
        start.await();
        return client.get();
      }));
    }
    List<Response> answers = new ArrayList<>();
    for (Future<List<Response>> f : pending) {
      answers.addAll(f.get());
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

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
