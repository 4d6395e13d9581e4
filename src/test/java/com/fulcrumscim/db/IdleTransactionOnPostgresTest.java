package com.fulcrumscim.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node that stops inside a transaction (killed, hung, cut off without a FIN) must not keep its
 * locks until TCP keepalive gives up on it: the server ends the session and other nodes go on.
 */
@RequiresPostgres
class IdleTransactionOnPostgresTest {
  final StoreLocation.Postgres pg = (StoreLocation.Postgres) TestStore.freshPostgres().location();

  @Test
  void aLockHeldByATransactionLeftIdleIsFreedOnceTheServerEndsTheSession() throws Exception {
    PostgresEngine engine = new PostgresEngine(pg, Database.Access.READ_WRITE, Duration.ofMillis(300));
    try (Connection stalled = engine.connect(); Connection other = engine.connect()) {
      stalled.setAutoCommit(false);
      try (Statement s = stalled.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(4242)");
      }
      assertThat(tryLock(other)).as("held while the transaction is open").isFalse();

      Thread.sleep(1500);

      assertThat(tryLock(other)).as("the server ended the idle transaction's session").isTrue();
    }
  }

  @Test
  void everyConnectionOfTheBridgeHasTheTimeoutSet() throws Exception {
    PostgresEngine engine = new PostgresEngine(pg, Database.Access.READ_WRITE, PostgresEngine.IDLE_IN_TRANSACTION);
    try (Connection c = engine.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW idle_in_transaction_session_timeout")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("1min");
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(4242)")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
