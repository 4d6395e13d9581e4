package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.stream.Collectors;

/**
 * The SQL that differs between SQLite and PostgreSQL, in one place. Everything else the stores
 * write is plain SQL both accept (ON CONFLICT ... DO UPDATE, RETURNING, IS DISTINCT FROM, ||);
 * a store asks {@link #of} its connection only where a fragment below is needed.
 */
public enum Dialect {
  SQLITE,
  POSTGRESQL;

  /** The dialect of the database behind {@code c}. */
  public static Dialect of(Connection c) {
    try {
      return c.isWrapperFor(org.postgresql.PGConnection.class) ? POSTGRESQL : SQLITE;
    } catch (SQLException e) {
      return SQLITE;
    }
  }

  /**
   * {@code column} equals the next parameter, ASCII letters compared case-insensitively (SQLite's
   * NOCASE; PostgreSQL's lower() folds only ASCII under the C collation the schema gives text columns).
   * The parameter is folded under C too: under the database's default collation (say en_US.UTF-8)
   * lower() would fold É to é while the column side keeps É, and a non-ASCII email would not match itself.
   */
  public String equalsIgnoringCase(String column) {
    return this == SQLITE ? column + " = ? COLLATE NOCASE" : "lower(" + column + ") = lower(? COLLATE \"C\")";
  }

  /** The text of top-level attribute {@code attribute} of the JSON document in {@code column}, NULL when absent. */
  public String jsonText(String column, String attribute) {
    return this == SQLITE ? "json_extract(" + column + ", '$." + attribute + "')"
        : "((" + column + ")::jsonb ->> '" + attribute + "') COLLATE \"C\"";
  }

  /**
   * An ORDER BY term. A row without a value sorts last ascending and first descending (RFC 7644
   * §3.4.2.3), on either store, so a page holds the same rows on both: PostgreSQL's own order, which
   * its indexes give; SQLite, whose own is the other way round, still walks an index for it.
   */
  public String orderTerm(String expression, boolean descending) {
    if (this == SQLITE) {
      return expression + (descending ? " DESC NULLS FIRST" : " NULLS LAST");
    }
    return expression + (descending ? " DESC" : "");
  }

  /**
   * {@code expression} to sort by with ASCII letters' case folded, as {@link #equalsIgnoringCase}
   * compares (SQLite's {@code COLLATE NOCASE}, PostgreSQL's {@code lower()}): for the attributes that
   * are not caseExact and have no folded column of their own; none of them is indexed.
   */
  public String foldedForOrder(String expression) {
    return this == SQLITE ? expression + " COLLATE NOCASE" : "lower(" + expression + ")";
  }

  /**
   * Makes the query walk index {@code index} of {@code table} where SQLite's planner, left alone,
   * would not (it reads whole rows for a deep OFFSET, and sorts every due work row for a claim);
   * PostgreSQL picks its index by itself.
   */
  public String tableUsingIndex(String table, String index) {
    return this == SQLITE ? table + " INDEXED BY " + index : table;
  }

  /**
   * A join whose left side the planner must scan first. SQLite takes CROSS JOIN as that order;
   * PostgreSQL has no CROSS JOIN ... ON and chooses well by itself.
   */
  public String joinInThisOrder() {
    return this == SQLITE ? "CROSS JOIN" : "JOIN";
  }

  /**
   * Appended to the SELECT that picks rows to claim: on PostgreSQL a second node's claim skips the
   * rows a first one is claiming instead of waiting for them. SQLite has one writer at a time.
   */
  public String skipLocked() {
    return this == SQLITE ? "" : " FOR UPDATE SKIP LOCKED";
  }

  /**
   * Call in a write transaction before inserting into {@code table}: from here to the commit, no
   * other transaction of any node inserts into it. An identity value is taken at INSERT and seen at
   * COMMIT; with several writers a row with a smaller seq could become visible after one with a
   * larger seq, and a list walked by offset or by seq would show a row twice. SQLite's one writer
   * already commits in seq order.
   */
  public void appendInOrder(Connection c, String table) throws SQLException {
    takeTurns(c, "fulcrum-scim append " + table);
  }

  /**
   * Call in a write transaction: from here to the commit, no other transaction of any node that
   * calls this with {@code what} goes past its call (on PostgreSQL, an advisory lock on its hash;
   * unrelated names may share one and take turns too). SQLite's one writer already takes turns.
   */
  public void takeTurns(Connection c, String what) throws SQLException {
    if (this == POSTGRESQL) {
      try (var ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
        ps.setString(1, what);
        ps.execute();
      }
    }
  }

  /**
   * Appended to a SELECT of rows a write relies on staying (a group's members): on PostgreSQL a
   * concurrent delete of them on another node waits for this transaction, then sees what it wrote.
   */
  public String keepSelected() {
    return this == SQLITE ? "" : " FOR SHARE";
  }

  /**
   * Appended to a SELECT of the row a write then changes from what it read (a SCIM update or delete):
   * on PostgreSQL it reads the newest committed version, and another node's write of that row waits
   * for this transaction. SQLite's one writer lets nothing else write meanwhile.
   */
  public String lockSelected() {
    return this == SQLITE ? "" : " FOR UPDATE";
  }

  /** {@code (?, ?, ...)}: {@code n} parameters for an IN list or a VALUES row (the same on both stores). */
  public static String placeholders(int n) {
    return Collections.nCopies(n, "?").stream().collect(Collectors.joining(", ", "(", ")"));
  }

  /** Whether {@code e} is a UNIQUE or PRIMARY KEY violation. */
  public static boolean isUniqueViolation(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && ("23505".equals(s.getSQLState())
          || s.getErrorCode() == 19 && s.getMessage() != null && s.getMessage().contains("UNIQUE"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} is a write that lost to other writes of the same rows: a serialization failure
   * or a deadlock PostgreSQL broke (SQLState 40001, 40P01). Such a write was rolled back whole, and
   * the same write may succeed when sent again.
   */
  public static boolean isWriteConflict(Throwable e) {
    return hasSqlState(e, "40001", "40P01");
  }

  /**
   * Whether {@code e} is PostgreSQL's program_limit_exceeded (54000): an index entry larger than
   * a btree page allows ("index row size 3032 exceeds btree version 4 maximum 2704"). SQLite has no
   * such limit.
   */
  public static boolean isTooLargeToIndex(SQLException e) {
    return hasSqlState(e, "54000");
  }

  /** Whether {@code e} or one of its causes is a SQLException of one of {@code states}. */
  private static boolean hasSqlState(Throwable e, String... states) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && Arrays.asList(states).contains(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The name of the constraint or unique index PostgreSQL says {@code e} violated; empty on SQLite
   * or when the server named none. The message text is no guide: it quotes the duplicate value.
   */
  public static String violatedConstraint(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
          && p.getServerErrorMessage().getConstraint() != null) {
        return p.getServerErrorMessage().getConstraint();
      }
    }
    return "";
  }
}
