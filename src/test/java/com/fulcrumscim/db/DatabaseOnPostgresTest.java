package com.fulcrumscim.db;

import static com.fulcrumscim.db.SettingRows.count;
import static com.fulcrumscim.db.SettingRows.setting;
import static com.fulcrumscim.db.SettingRows.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Database} on PostgreSQL: what {@link DatabaseTest} promises for SQLite, with several nodes on one database. */
@RequiresPostgres
class DatabaseOnPostgresTest {
  final StoreLocation pg = TestStore.freshPostgres().location();

  @Test
  void concurrentWritesFromTwoNodesAllCommit() throws Exception {
    try (Database nodeA = Database.open(pg); Database nodeB = Database.open(pg)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int n = i;
        Database node = i % 2 == 0 ? nodeA : nodeB;
        futures.add(pool.submit(() -> node.write(c -> setting(c, "k" + n, "v" + n))));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      assertThat(count(nodeA)).isEqualTo(500);
    }
  }

  @Test
  void writesAndReadsAfterTheServerEndedEverySessionOfThePoolSucceed() throws Exception {
    try (Database db = Database.open(pg)) {
      // every pooled connection in use once, so the pool holds 8 sessions
      CountDownLatch all = new CountDownLatch(8);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fill = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fill.add(pool.submit(() -> db.write(c -> {
          all.countDown();
          all.await();
          return null;
        })));
      }
      for (Future<?> f : fill) {
        f.get();
      }
      pool.shutdown();
      // a restart or a failover: the server ends every session the pool holds
      StoreLocation.Postgres p = (StoreLocation.Postgres) pg;
      try (Connection admin = java.sql.DriverManager.getConnection(p.url(), p.username(), p.password());
          Statement s = admin.createStatement()) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND usename = current_user AND pid <> pg_backend_pid()"); // the pool's, not the test cluster's admin still leaving
      }

      for (int i = 0; i < 10; i++) {
        int n = i;
        db.write(c -> setting(c, "after" + n, "v"));
        String stored = db.read(c -> value(c, "after" + n));
        assertThat(stored).isEqualTo("v");
      }
    }
  }

  @Test
  void aFailingWriteRollsBackAloneAndReachesItsCaller() {
    try (Database db = Database.open(pg)) {
      db.write(c -> setting(c, "kept", "1"));
      assertThatThrownBy(() -> db.write(c -> {
        setting(c, "lost", "1");
        throw new IllegalArgumentException("refused");
      })).isInstanceOf(IllegalArgumentException.class).hasMessage("refused");
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Test
  void aWriteEndedByAnErrorRatherThanAnExceptionCommitsNothing() {
    try (Database db = Database.open(pg)) {
      assertThatThrownBy(() -> db.write(c -> {
        setting(c, "half", "1");
        throw new StackOverflowError("deep in the work");
      })).isInstanceOf(StackOverflowError.class);
      assertThat(count(db)).isZero();
    }
  }

  @Test
  void nodesStartingTogetherMigrateAnEmptyDatabaseOnce() throws Exception {
    List<CompletableFuture<Database>> opening = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> Database.open(pg)));
    }
    for (CompletableFuture<Database> node : opening) {
      try (Database db = node.get(60, TimeUnit.SECONDS)) {
        Migrations.Versions v = db.read(c -> Migrations.versions(c, Dialect.POSTGRESQL));
        assertThat(v.found()).isEqualTo(v.known());
      }
    }
    assertThat(Database.migrate(pg).found()).as("already current").isEqualTo(Database.migrate(pg).known());
  }

  @Test
  void aDeadlockBetweenTwoNodesIsRetriedAndBothWritesCommit() throws Exception {
    try (Database nodeA = Database.open(pg); Database nodeB = Database.open(pg)) {
      nodeA.write(c -> setting(c, "a", "0"));
      nodeA.write(c -> setting(c, "b", "0"));
      CountDownLatch bothHoldOne = new CountDownLatch(2);
      AtomicInteger attempts = new AtomicInteger();
      CompletableFuture<Object> ab = CompletableFuture.supplyAsync(() -> nodeA.write(c -> lockInOrder(c, "a", "b", bothHoldOne, attempts)));
      CompletableFuture<Object> ba = CompletableFuture.supplyAsync(() -> nodeB.write(c -> lockInOrder(c, "b", "a", bothHoldOne, attempts)));
      ab.get(30, TimeUnit.SECONDS);
      ba.get(30, TimeUnit.SECONDS);
      assertThat(attempts.get()).as("one of them ran again after PostgreSQL broke the deadlock").isEqualTo(3);
      String a = nodeA.read(c -> value(c, "a"));
      String b = nodeB.read(c -> value(c, "b"));
      assertThat(a).isEqualTo("2");
      assertThat(b).isEqualTo("2");
    }
  }

  private static Object lockInOrder(Connection c, String first, String second, CountDownLatch bothHoldOne,
      AtomicInteger attempts) throws Exception {
    attempts.incrementAndGet();
    bump(c, first);
    bothHoldOne.countDown();
    bothHoldOne.await(10, TimeUnit.SECONDS);
    bump(c, second);
    return null;
  }

  @Test
  void aReadOfSeveralStatementsSeesTheDatabaseAsOfItsFirstStatement() throws Exception {
    try (Database nodeA = Database.open(pg); Database nodeB = Database.open(pg)) {
      nodeA.write(c -> setting(c, "a", "1"));
      CountDownLatch firstRead = new CountDownLatch(1);
      CountDownLatch otherCommitted = new CountDownLatch(1);
      CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> nodeA.read(c -> {
        String a = value(c, "a");
        firstRead.countDown();
        otherCommitted.await(10, TimeUnit.SECONDS);
        return java.util.Arrays.asList(a, value(c, "b"), String.valueOf(countIn(c)));
      }));
      assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue();
      nodeB.write(c -> setting(c, "b", "2"));
      otherCommitted.countDown();

      assertThat(read.get(10, TimeUnit.SECONDS)).as("a, b and the row count as of the read's first statement")
          .containsExactly("1", null, "1");
    }
  }

  @Test
  void aReadCannotWrite() {
    try (Database db = Database.open(pg)) {
      assertThatThrownBy(() -> db.read(c -> setting(c, "k", "v"))).isInstanceOf(DatabaseException.class)
          .hasMessageContaining("read-only transaction");
      assertThat(count(db)).isZero();
    }
  }

  @Test
  void everyConnectionAReadGivesBackWritesAsBeforeInItsOwnTransaction() throws Exception {
    try (Database db = Database.open(pg)) {
      // every session of the pool used by a read, so each one a write gets has been a read's
      CountDownLatch all = new CountDownLatch(PostgresEngine.POOL_SIZE);
      ExecutorService pool = Executors.newFixedThreadPool(PostgresEngine.POOL_SIZE);
      List<Future<?>> reads = new ArrayList<>();
      for (int i = 0; i < PostgresEngine.POOL_SIZE; i++) {
        reads.add(pool.submit(() -> db.read(c -> {
          all.countDown();
          all.await();
          return value(c, "nothing");
        })));
      }
      for (Future<?> f : reads) {
        f.get();
      }
      pool.shutdown();

      for (int i = 0; i < PostgresEngine.POOL_SIZE; i++) {
        int n = i;
        List<String> seen = db.write(c -> {
          setting(c, "k" + n, "v");
          return List.of(show(c, "transaction_isolation"), show(c, "transaction_read_only"),
              String.valueOf(c.getAutoCommit()));
        });
        assertThat(seen).as("write %d", n).containsExactly("read committed", "off", "false");
      }
      assertThat(count(db)).isEqualTo(PostgresEngine.POOL_SIZE);
    }
  }

  @Test
  void aReadThatFailsLeavesItsConnectionFitForTheNextWrite() {
    try (Database db = Database.open(pg)) {
      assertThatThrownBy(() -> db.read(c -> execute(c, "SELECT no_such_column FROM setting")))
          .isInstanceOf(DatabaseException.class);
      assertThatThrownBy(() -> db.read(c -> {
        value(c, "k");
        throw new IllegalStateException("the caller's own failure");
      })).isInstanceOf(IllegalStateException.class);

      db.write(c -> setting(c, "k", "v"));
      String stored = db.read(c -> value(c, "k"));
      assertThat(stored).isEqualTo("v");
    }
  }

  @Test
  void aReadThatLosesASerializationRaceRunsAgain() {
    try (Database db = Database.open(pg)) {
      AtomicInteger runs = new AtomicInteger();
      String found = db.read(c -> {
        if (runs.incrementAndGet() == 1) {
          // what a standby answers when replaying the primary's changes would remove rows the snapshot still sees
          throw new SQLException("canceling statement due to conflict with recovery", "40001");
        }
        return value(c, "k");
      });
      assertThat(found).isNull();
      assertThat(runs.get()).isEqualTo(2);
    }
  }

  @Test
  void aSerializationFailureRunsTheWriteAgainABoundedNumberOfTimes() {
    try (Database db = Database.open(pg)) {
      AtomicInteger runs = new AtomicInteger();
      assertThatThrownBy(() -> db.write(c -> {
        runs.incrementAndGet();
        throw new SQLException("could not serialize access", "40001");
      })).isInstanceOf(DatabaseException.class);
      assertThat(runs.get()).isEqualTo(PostgresEngine.MAX_ATTEMPTS);
    }
  }

  @Test
  void aWriteThatKeepsLosingRacesStartsNoAttemptPastItsBound() {
    try (Database db = Database.open(pg)) {
      AtomicInteger runs = new AtomicInteger();
      long start = System.nanoTime();
      assertThatThrownBy(() -> db.write(c -> {
        runs.incrementAndGet();
        Thread.sleep(400); // what waiting for the row locks it then loses on costs each attempt
        throw new SQLException("could not serialize access", "40001");
      }, Duration.ofSeconds(1))).isInstanceOf(DatabaseException.class).satisfies(e -> assertThat(Dialect.isWriteConflict(e)).isTrue());
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(runs.get()).as("attempts started within 1 s, 400 ms each").isLessThanOrEqualTo(3);
      assertThat(took).isLessThan(Duration.ofMillis(1_400 + 500));
    }
  }

  @Test
  void writesCommitSynchronouslyEvenWhenTheDatabaseDefaultIsOff() {
    try (Database db = Database.open(pg)) {
      db.write(c -> execute(c, "ALTER DATABASE " + databaseName(c) + " SET synchronous_commit = off"));
    }
    try (Database db = Database.open(pg)) {
      String mode = db.write(c -> show(c, "synchronous_commit"));
      assertThat(mode).isEqualTo("on");
    }
  }

  /** review-s17ha F8: remote_write leaves the synchronous standby's copy unflushed, weaker than on. */
  @Test
  void writesCommitSynchronouslyWhenTheDatabaseDefaultIsRemoteWrite() {
    try (Database db = Database.open(pg)) {
      db.write(c -> execute(c, "ALTER DATABASE " + databaseName(c) + " SET synchronous_commit = remote_write"));
    }
    try (Database db = Database.open(pg)) {
      String mode = db.write(c -> show(c, "synchronous_commit"));
      assertThat(mode).isEqualTo("on");
    }
  }

  @Test
  void aServerThatAcceptsNoWritesMakesTheStoreNotWritable() {
    try (Database db = Database.open(pg)) {
      assertThat(db.writeProblem()).isEmpty();
      db.write(c -> execute(c, "ALTER DATABASE " + databaseName(c) + " SET default_transaction_read_only = on"));
    }
    try (Database db = Database.openExisting(pg, Database.Access.READ_WRITE)) {
      assertThat(db.writeProblem()).hasValueSatisfying(p -> assertThat(p).contains("accepts no writes"));
    }
  }

  private static void bump(Connection c, String k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE setting SET value = (value::int + 1)::text WHERE key = ?")) {
      ps.setString(1, k);
      ps.executeUpdate();
    }
  }

  private static Object execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  private static String show(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long countIn(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM setting")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String databaseName(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }


  @Test
  void aStatementGivesUpOnASilentServerAfterTheSocketTimeout() {
    try (Database db = Database.open(pg)) {
      assertThat(db.read(Connection::getNetworkTimeout)).isEqualTo(PostgresEngine.SOCKET_TIMEOUT.toMillis());
    }
  }

  @Test
  void aBoundedReadWaitsOnlyItsBoundAndLeavesTheConnectionWithTheUsualTimeout() {
    try (Database db = Database.open(pg)) {
      assertThat(db.read(Connection::getNetworkTimeout, Duration.ofSeconds(3))).isEqualTo(3_000);
      assertThat(db.read(Connection::getNetworkTimeout)).isEqualTo(PostgresEngine.SOCKET_TIMEOUT.toMillis());
    }
  }
}
