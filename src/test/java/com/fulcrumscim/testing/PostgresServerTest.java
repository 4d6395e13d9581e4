package com.fulcrumscim.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
