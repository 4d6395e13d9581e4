package com.fulcrumscim.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SQLite connection that keeps its prepared statements. sqlite-jdbc compiles the SQL again on
 * every {@code prepareStatement}; on the one writer thread, which every durable SCIM request waits
 * for, that compiling was about a fifth of its time (issue 12). Callers keep the plain JDBC idiom
 * (prepare, use, close): a close resets the statement, clears its parameters and keeps it for the
 * next prepare of the same SQL. A statement prepared while the same SQL's is still open (a query
 * inside another's loop) is a fresh one. Holds {@value #CAPACITY} statements, least recently
 * used dropped first, since a few SQL texts are built per call (an IN list of n placeholders).
 *
 * <p>A proxy rather than a delegating class: {@code Connection} and {@code PreparedStatement}
 * have about a hundred methods between them, and only four calls need a different meaning.
 */
final class StatementCache implements InvocationHandler {
  static final int CAPACITY = 64;

  private final Connection connection;
  private final Connection proxy;
  private final Map<String, PreparedStatement> idle = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() <= CAPACITY) {
        return false;
      }
      closeQuietly(eldest.getValue());
      return true;
    }
  };

  private StatementCache(Connection connection) {
    this.connection = connection;
    this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, this);
  }

  /** {@code connection}, keeping its statements; used by one thread at a time, as a connection is. */
  static Connection wrap(Connection connection) {
    return new StatementCache(connection).proxy;
  }

  @Override
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "prepareStatement":
        if (args.length == 1) {
          return lend((String) args[0]);
        }
        break;
      case "close":
        idle.values().forEach(StatementCache::closeQuietly);
        idle.clear();
        break;
      default:
        break;
    }
    return call(connection, method, args);
  }

  private PreparedStatement lend(String sql) throws SQLException {
    PreparedStatement statement = idle.remove(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
    }
    return new Loan(sql, statement).proxy;
  }

  /**
   * Back from a caller, reset: a statement left on a row would hold a read snapshot open (and on
   * the writer, fail every later RELEASE and COMMIT); a batch added but not run would be inserted
   * by the next caller. {@code open}: the last result set the caller was handed; a query run with
   * {@code execute()} whose rows were never asked for has one all the same.
   */
  private void giveBack(String sql, PreparedStatement statement, ResultSet open) {
    try {
      ResultSet rows = open != null ? open : statement.getResultSet();
      if (rows != null) {
        rows.close();
      }
      statement.clearParameters();
      statement.clearBatch();
    } catch (SQLException | RuntimeException e) {
      closeQuietly(statement);
      return;
    }
    PreparedStatement already = idle.putIfAbsent(sql, statement);
    if (already != null) {
      closeQuietly(statement);
    }
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException | RuntimeException ignored) {
      // a statement that cannot close is dropped all the same
    }
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** One caller's use of a kept statement: after its close, this handle refuses every call. */
  private final class Loan implements InvocationHandler {
    private final String sql;
    private final PreparedStatement statement;
    private final PreparedStatement proxy;
    private ResultSet open;
    private boolean closed;

    Loan(String sql, PreparedStatement statement) {
      this.sql = sql;
      this.statement = statement;
      this.proxy = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
          new Class<?>[] {PreparedStatement.class}, this);
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      switch (name) {
        case "toString":
          return "kept statement " + sql + (closed ? " (closed)" : "");
        case "hashCode":
          return System.identityHashCode(self);
        case "equals":
          return self == args[0];
        case "close":
          if (!closed) {
            closed = true;
            giveBack(sql, statement, open);
          }
          return null;
        case "isClosed":
          return closed;
        default:
          break;
      }
      if (closed) {
        throw new SQLException("statement is closed");
      }
      if (name.equals("getConnection")) {
        return StatementCache.this.proxy;
      }
      Object result = call(statement, method, args);
      if (result instanceof ResultSet rs) {
        open = rs;
      }
      return result;
    }
  }
}
