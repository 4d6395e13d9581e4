package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {
  @TempDir Path dir;
  Connection raw;
  Connection cached;

  @BeforeEach
  void open() throws SQLException {
    raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
    try (Statement s = raw.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("CREATE TABLE t (n INTEGER)");
      s.execute("INSERT INTO t VALUES (1), (2), (3)");
    }
    cached = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db")));
  }

  @AfterEach
  void close() throws SQLException {
    cached.close();
    raw.close();
  }

  @Test
  void aClosedStatementIsReusedForTheSameSql() throws SQLException {
    PreparedStatement first = cached.prepareStatement("SELECT n FROM t WHERE n = ?");
    PreparedStatement underlying = first.unwrap(PreparedStatement.class);
    first.close();
    try (PreparedStatement second = cached.prepareStatement("SELECT n FROM t WHERE n = ?")) {
      assertThat(second.unwrap(PreparedStatement.class)).isSameAs(underlying);
    }
  }

  @Test
  void theSameSqlPreparedWhileItsStatementIsOpenGetsAnotherOne() throws SQLException {
    int pairs = 0;
    try (PreparedStatement outer = cached.prepareStatement("SELECT n FROM t ORDER BY n");
        ResultSet rows = outer.executeQuery()) {
      while (rows.next()) {
        try (PreparedStatement inner = cached.prepareStatement("SELECT n FROM t ORDER BY n");
            ResultSet all = inner.executeQuery()) {
          assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(PreparedStatement.class));
          while (all.next()) {
            pairs++;
          }
        }
      }
    }
    assertThat(pairs).isEqualTo(9);
  }

  @Test
  void aKeptStatementStartsWithNoParameterBound() throws SQLException {
    try (PreparedStatement ps = cached.prepareStatement("SELECT ?")) {
      ps.setString(1, "left behind");
      ps.executeQuery().close();
    }
    try (PreparedStatement ps = cached.prepareStatement("SELECT ?"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      assertThat(rs.getString(1)).isNull();
    }
  }

  @Test
  void closingAStatementMidQueryEndsItsReadSoLaterReadsSeeNewCommits() throws SQLException {
    PreparedStatement ps = cached.prepareStatement("SELECT n FROM t");
    ResultSet rs = ps.executeQuery();
    rs.next();
    ps.close();
    assertThat(rowsSeenAfterAnotherConnectionAddsOne()).isEqualTo(4);
  }

  @Test
  void aQueryRunWithExecuteWhoseRowsWereNeverAskedForEndsItsReadAtClose() throws SQLException {
    try (PreparedStatement ps = cached.prepareStatement("SELECT n FROM t")) {
      assertThat(ps.execute()).isTrue();
    }
    assertThat(rowsSeenAfterAnotherConnectionAddsOne()).isEqualTo(4);
  }

  @Test
  void aBatchAddedButNeverRunIsNotRunByTheNextCaller() throws SQLException {
    try (PreparedStatement ps = cached.prepareStatement("INSERT INTO t VALUES (?)")) {
      ps.setInt(1, 100);
      ps.addBatch();
    }
    try (PreparedStatement ps = cached.prepareStatement("INSERT INTO t VALUES (?)")) {
      ps.setInt(1, 200);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = cached.prepareStatement("SELECT n FROM t WHERE n >= 100"); ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(200);
      assertThat(rs.next()).isFalse();
    }
  }

  /** Another connection commits a fourth row; how many rows the cached connection then sees. */
  int rowsSeenAfterAnotherConnectionAddsOne() throws SQLException {
    try (Statement s = raw.createStatement()) {
      s.execute("INSERT INTO t VALUES (4)");
    }
    try (PreparedStatement count = cached.prepareStatement("SELECT count(*) FROM t"); ResultSet c = count.executeQuery()) {
      c.next();
      return c.getInt(1);
    }
  }

  @Test
  void aClosedHandleRefusesUseEvenWhenItsStatementIsLentAgain() throws SQLException {
    PreparedStatement stale = cached.prepareStatement("SELECT n FROM t WHERE n = ?");
    stale.close();
    try (PreparedStatement current = cached.prepareStatement("SELECT n FROM t WHERE n = ?")) {
      current.setInt(1, 2);
      assertThatThrownBy(() -> stale.setInt(1, 3)).isInstanceOf(SQLException.class).hasMessageContaining("closed");
      assertThat(stale.isClosed()).isTrue();
      assertThat(stale.toString()).contains("closed");
      try (ResultSet rs = current.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyUsedStatementIsClosed() throws SQLException {
    PreparedStatement first = cached.prepareStatement("SELECT 0");
    PreparedStatement eldest = first.unwrap(PreparedStatement.class);
    first.close();
    for (int i = 1; i <= StatementCache.CAPACITY; i++) {
      cached.prepareStatement("SELECT " + i).close();
    }
    assertThat(eldest.isClosed()).isTrue();
    try (PreparedStatement again = cached.prepareStatement("SELECT 0")) {
      assertThat(again.unwrap(PreparedStatement.class)).isNotSameAs(eldest);
    }
  }

  @Test
  void closingTheConnectionClosesItsKeptStatements() throws SQLException {
    PreparedStatement ps = cached.prepareStatement("SELECT 1");
    PreparedStatement underlying = ps.unwrap(PreparedStatement.class);
    ps.close();
    cached.close();
    assertThat(underlying.isClosed()).isTrue();
  }
}
