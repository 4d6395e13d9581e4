package com.fulcrumscim.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The second test looks for what the first made: in order, one after the other. */
@RequiresPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DropsTestDatabasesTest {
  private static String firstTests;

  /** Made as a test's field is: before the test's callbacks of every other kind. */
  private final PostgresServer.Database own = PostgresServer.shared().migratedDatabase();

  @Test
  @Order(1)
  void aTestHasItsDatabaseWhileItRuns() throws SQLException {
    firstTests = own.username();
    assertThat(exists(firstTests)).isTrue();
  }

  @Test
  @Order(2)
  void itIsDroppedOnceTheTestIsOver() throws SQLException {
    assertThat(firstTests).isNotNull();
    assertThat(exists(firstTests)).isFalse();
    assertThat(exists(own.username())).isTrue();
  }

  private boolean exists(String database) throws SQLException {
    try (Connection c = own.connect();
        PreparedStatement s = c.prepareStatement("select count(*) from pg_database where datname = ?")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }
}
