package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A SCIM read answers the database as of one moment, though another node commits while it reads.
 * The other node's commit is made to land between the read's statements: its transaction locks
 * the membership table, which the read's second statement then waits for, and commits once the
 * read waits there.
 */
@RequiresPostgres
class ReadOneMomentOnPostgresTest {
  TestStore store;
  ScimTestServer node;
  ScimHttp http;

  @BeforeEach
  void start() {
    store = TestStore.freshPostgres();
    node = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = node.http();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void aGroupReadWhileAnotherNodeTakesAMemberOutShowsTheMembersOfTheVersionItShows() throws Exception {
    String alice = http.post("/Users", user("alice@example.com")).json().path("id").asText();
    String bob = http.post("/Users", user("bob@example.com")).json().path("id").asText();
    JsonNode created = http.post("/Groups", group("Crew", alice, bob)).json();
    String id = created.path("id").asText();
    String version = created.path("meta").path("version").asText();

    JsonNode read;
    try (Connection otherNode = connect()) {
      otherNode.setAutoCommit(false);
      execute(otherNode, "LOCK TABLE scim_group_member IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<JsonNode> get = CompletableFuture.supplyAsync(() -> http.get("/Groups/" + id).json());
      awaitReadWaitingForTheMembers(otherNode, get);
      // what a PATCH taking bob out commits: the group's next version and its members
      try (PreparedStatement ps = otherNode.prepareStatement("UPDATE scim_group SET version = version + 1 WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = otherNode.prepareStatement("DELETE FROM scim_group_member WHERE group_id = ? AND user_id = ?")) {
        ps.setString(1, id);
        ps.setString(2, bob);
        ps.executeUpdate();
      }
      otherNode.commit();
      read = get.get(30, TimeUnit.SECONDS);
    }

    assertThat(read.path("meta").path("version").asText()).isEqualTo(version);
    assertThat(memberIds(read)).as("the members of version " + version).containsExactlyInAnyOrder(alice, bob);
  }

  private Connection connect() throws Exception {
    StoreLocation.Postgres p = (StoreLocation.Postgres) store.location();
    return DriverManager.getConnection(p.url(), p.username(), p.password());
  }

  /** Until a session of the node waits for the lock on the membership table, having read the group's row. */
  private static void awaitReadWaitingForTheMembers(Connection c, CompletableFuture<?> read) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && !read.isDone()) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'scim_group_member'::regclass")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the read never waited for the membership table" + (read.isDone() ? ": " + read.get() : ""));
  }

  private static void execute(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> memberIds(JsonNode group) {
    List<String> ids = new ArrayList<>();
    group.path("members").forEach(m -> ids.add(m.path("value").asText()));
    return ids;
  }
}
