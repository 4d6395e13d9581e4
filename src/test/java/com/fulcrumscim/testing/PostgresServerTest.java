package com.fulcrumscim.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fulcrumscim.db.OlderRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@RequiresPostgres
class PostgresServerTest {

  @Test
  void startsAndAnswersSelectOneOverJdbc() throws SQLException {
    try (Connection c = PostgresServer.shared().freshDatabase().connect()) {
      assertThat(query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void twoFreshDatabasesSeeNothingOfEachOther() throws SQLException {
    PostgresServer.Database a = PostgresServer.shared().freshDatabase();
    PostgresServer.Database b = PostgresServer.shared().freshDatabase();
    assertThat(b.jdbcUrl()).isNotEqualTo(a.jdbcUrl());
    assertThat(b.username()).isNotEqualTo(a.username());
    try (Connection c = a.connect(); Statement s = c.createStatement()) {
      s.execute("create table users (id text primary key)");
      s.execute("insert into users values ('ada')");
    }
    try (Connection c = b.connect()) {
      assertThat(query(c, "select to_regclass('users') is null")).isEqualTo("t");
    }
    assertThatThrownBy(() -> new PostgresServer.Database(a.jdbcUrl(), b.username(), b.password()).connect().close())
        .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
  }

  @Test
  void aMigratedDatabaseHasTheSchemaOwnedByItsOwnRoleAndNothingOfAnothers() throws Exception {
    PostgresServer.Database a = PostgresServer.shared().migratedDatabase();
    PostgresServer.Database b = PostgresServer.shared().migratedDatabase();
    try (Connection c = a.connect(); Statement s = c.createStatement()) {
      s.execute("insert into setting (key, value) values ('only.in', 'a')");
      s.execute("alter table setting add column probe text"); // what only the table's owner may do
      assertThat(query(c, "select tableowner from pg_tables where tablename = 'setting'")).isEqualTo(a.username());
    }
    try (Connection c = b.connect()) {
      assertThat(query(c, "select count(*) from setting where key = 'only.in'")).isEqualTo("0");
      assertThat(query(c, "select count(*) from information_schema.columns where column_name = 'probe'")).isEqualTo("0");
      assertThat(query(c, "select max(version) from schema_version")).isEqualTo(String.valueOf(OlderRelease.newest()));
    }
  }

  @Test
  void runsWithTheDurabilityTheBridgePromises() throws SQLException {
    try (Connection c = PostgresServer.shared().freshDatabase().connect()) {
      assertThat(query(c, "show fsync")).isEqualTo("on");
      assertThat(query(c, "show synchronous_commit")).isEqualTo("on");
    }
  }

  @Test
  void theServerDoesNotRunAsRootEvenWhenTheTestsDo() throws Exception {
    try (Connection c = PostgresServer.shared().freshDatabase().connect()) {
      // A backend is a child of the postmaster and runs as the same user.
      Path backend = Path.of("/proc", query(c, "select pg_backend_pid()"));
      assertThat((int) Files.getAttribute(backend, "unix:uid")).isNotZero();
    }
  }

  @Test
  void everyCallInTheJvmSharesOneCluster() throws SQLException {
    PostgresServer first = PostgresServer.shared();
    PostgresServer second = PostgresServer.shared();
    assertThat(second).isSameAs(first);
    try (Connection a = first.freshDatabase().connect(); Connection b = second.freshDatabase().connect()) {
      String started = "select pg_postmaster_start_time()";
      assertThat(query(b, started)).isEqualTo(query(a, started));
    }
  }

  @Test
  void aCopyOfTheTemplateInMemoryLeavesItsFilesOutOfTheLog() throws SQLException {
    assumeTrue(MemoryTempDirs.inMemory(MemoryTempDirs.root().orElse(Path.of(System.getProperty("java.io.tmpdir")))),
        "the cluster is on a disk here, where copies go through the log (WAL_LOG)");
    PostgresServer.shared().migratedDatabase(); // the template, made once
    try (Connection c = PostgresServer.shared().freshDatabase().connect()) {
      String before = query(c, "select pg_current_wal_lsn()");
      PostgresServer.shared().migratedDatabase();
      // WAL_LOG writes the whole copy (about 7 MB) to the log; FILE_COPY its checkpoints and a record
      long logged = Long.parseLong(query(c, "select pg_wal_lsn_diff(pg_current_wal_lsn(), '" + before + "')::bigint"));
      assertThat(logged).isLessThan(1L << 20);
    }
  }

  @Test
  void dropsTheDatabasesItsThreadMadeAfterAMarkAndNoOtherThreads() throws Exception {
    PostgresServer server = PostgresServer.shared();
    PostgresServer.Database before = server.freshDatabase();
    int mark = PostgresServer.made();
    PostgresServer.Database mine = server.migratedDatabase();
    CompletableFuture<PostgresServer.Database> sibling = CompletableFuture.supplyAsync(server::freshDatabase);
    PostgresServer.Database theirs = sibling.get(60, TimeUnit.SECONDS);

    PostgresServer.dropMadeAfter(mark, Thread.currentThread());

    try (Connection c = before.connect()) {
      assertThat(query(c, "select string_agg(datname, ' ' order by datname) from pg_database where datname in ('"
          + before.username() + "', '" + mine.username() + "', '" + theirs.username() + "')"))
          .isEqualTo(before.username() + " " + theirs.username());
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
