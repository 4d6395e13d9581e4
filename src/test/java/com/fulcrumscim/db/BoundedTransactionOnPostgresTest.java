package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer lease's transactions are bounded (a quarter of its life): one stuck behind a lock (a
 * migration's on the lease table, an admin's on schema_version) gives up on the server too, not
 * only on the client (review-s6b F4). Before, each attempt left a session waiting on the lock until
 * it went (a rolling upgrade's long migration with standbys trying every few seconds could use up
 * max_connections), and the connection given up on made the pool drop its idle ones.
 */
@RequiresPostgres
class BoundedTransactionOnPostgresTest {
  static final Duration BOUND = Duration.ofMillis(750);
  Database db;
  Database other;
  Database watch;
  final CountDownLatch release = new CountDownLatch(1);
  CompletableFuture<Object> lock;

  @BeforeEach
  void open() {
    StoreLocation where = TestStore.freshPostgres().location();
    db = Database.open(where);
    other = Database.open(where);
    watch = Database.open(where);
  }

  @AfterEach
  void close() throws Exception {
    release.countDown();
    if (lock != null) {
      lock.get(30, TimeUnit.SECONDS);
    }
    db.close();
    other.close();
    watch.close();
  }

  /** Another session holds {@code sql}'s lock until the test ends. */
  void locked(String sql) throws Exception {
    CountDownLatch taken = new CountDownLatch(1);
    lock = CompletableFuture.supplyAsync(() -> other.write(c -> {
      c.createStatement().execute(sql);
      taken.countDown();
      release.await(60, TimeUnit.SECONDS);
      return null;
    }));
    assertThat(taken.await(30, TimeUnit.SECONDS)).isTrue();
  }

  int sessionsWaitingOnALock() {
    return watch.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity "
          + "WHERE wait_event_type = 'Lock' AND application_name = 'fulcrum-scim'")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  int session(Duration bound) {
    return db.read(c -> {
      try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        return rs.getInt(1);
      }
    }, bound);
  }

  @Test
  void aBoundedWriteStuckBehindALockLeavesNoSessionWaitingOnIt() throws Exception {
    locked("LOCK TABLE writer_lease IN EXCLUSIVE MODE"); // as a migration holds it

    assertThatThrownBy(() -> db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = 0"),
        BOUND)).isInstanceOf(DatabaseException.class);

    assertThat(sessionsWaitingOnALock()).as("sessions of the given-up write still waiting on the lock").isZero();
  }

  @Test
  void aBoundedReadStuckBehindALockGivesItsSessionBackToThePool() throws Exception {
    int before = session(BOUND);
    locked("LOCK TABLE schema_version IN ACCESS EXCLUSIVE MODE");

    assertThatThrownBy(() -> db.read(c -> c.createStatement().executeQuery("SELECT count(*) FROM schema_version").next(),
        BOUND)).isInstanceOf(DatabaseException.class);

    assertThat(sessionsWaitingOnALock()).as("sessions of the given-up read still waiting on the lock").isZero();
    assertThat(session(BOUND)).as("the pool's session, kept").isEqualTo(before);
  }
}
