package com.fulcrumscim.scim;

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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A filtered list scans the users 500 at a time in one read. Here that read loses its session after
 * the first 500 were visited (the server ends it while the second batch waits), and the engine runs
 * the read again on a new one: the answer is that of the second attempt alone, each user counted and
 * listed once. The second batch is held by a row policy on scim_user that, from the second statement
 * of a transaction on, waits for an advisory lock this test holds.
 */
@RequiresPostgres
class RetriedListReadOnPostgresTest {
  static final int USERS = 520;
  static final long HELD_LOCK = 4242;

  TestStore store;
  ScimTestServer node;
  ScimHttp http;

  @BeforeEach
  void manyUsersAndAPolicyThatHoldsTheSecondBatch() throws Exception {
    store = TestStore.freshPostgres();
    node = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = node.http();
    http.post("/Users", user("u0000@corp.example"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      // copies of the first user, as stored, under other ids and names
      s.execute("INSERT INTO scim_user (id, user_name, user_name_key, external_id, active, email, email_key, given_name,"
          + " family_name, role, doc, version, created_at, updated_at)"
          + " SELECT 'copy-' || n, 'u' || n || '@corp.example', 'u' || n || '@corp.example', 'ext-' || n, active,"
          + " 'u' || n || '@corp.example', 'u' || n || '@corp.example', given_name, family_name, role,"
          + " jsonb_set(doc::jsonb, '{userName}', to_jsonb('u' || n || '@corp.example'))::text, version, created_at + n,"
          + " updated_at FROM scim_user, generate_series(1, " + (USERS - 1) + ") n");
      s.execute("CREATE FUNCTION held_after_first_statement() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
          + " IF coalesce(current_setting('test.first_statement', true), '') = '' THEN"
          + "   PERFORM set_config('test.first_statement', statement_timestamp()::text, true);"
          + " ELSIF current_setting('test.first_statement') <> statement_timestamp()::text THEN"
          + "   PERFORM pg_advisory_xact_lock_shared(" + HELD_LOCK + ");"
          + " END IF;"
          + " RETURN true; END $$");
      s.execute("CREATE POLICY held ON scim_user FOR SELECT USING (held_after_first_statement())");
      s.execute("ALTER TABLE scim_user ENABLE ROW LEVEL SECURITY");
      s.execute("ALTER TABLE scim_user FORCE ROW LEVEL SECURITY");
    }
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void aFilteredListReadAgainAfterLosingItsSessionCountsEachUserOnce() throws Exception {
    JsonNode list;
    try (Connection test = connect()) {
      execute(test, "SELECT pg_advisory_lock(" + HELD_LOCK + ")");
      CompletableFuture<JsonNode> get = CompletableFuture.supplyAsync(
          () -> http.get("/Users?filter=" + ScimHttp.q("userName ew \"@corp.example\"") + "&count=" + USERS).json());
      int reader = awaitWaitingForTheLock(test, get);
      execute(test, "SELECT pg_terminate_backend(" + reader + ")");
      execute(test, "SELECT pg_advisory_unlock(" + HELD_LOCK + ")");
      list = get.get(30, TimeUnit.SECONDS);
    }

    assertThat(list.path("totalResults").asInt()).as("totalResults").isEqualTo(USERS);
    List<String> ids = new ArrayList<>();
    list.path("Resources").forEach(r -> ids.add(r.path("id").asText()));
    assertThat(ids).hasSize(USERS);
    assertThat(new HashSet<>(ids)).hasSize(USERS);
  }

  private Connection connect() throws Exception {
    StoreLocation.Postgres p = (StoreLocation.Postgres) store.location();
    return DriverManager.getConnection(p.url(), p.username(), p.password());
  }

  /** The pid of the session that waits for the advisory lock: the read, at its second batch. */
  private static int awaitWaitingForTheLock(Connection c, CompletableFuture<?> read) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && !read.isDone()) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
        if (rs.next()) {
          return rs.getInt(1);
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the read never waited for its second batch" + (read.isDone() ? ": " + read.get() : ""));
  }

  private static void execute(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
