package com.fulcrumscim.control;

import com.fulcrumscim.db.ClaimFence;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The operator_request table: commands submit, the daemon claims and answers, commands wait on the row. */
public final class RequestStore {
  private static final String KNOWN_KINDS = Arrays.stream(OperatorRequest.Kind.values())
      .map(k -> "'" + k.name() + "'").collect(Collectors.joining(", ", "(", ")"));
  private static final String COLUMNS =
      "id, kind, target, json, state, plan_text, phase, done, total, exit_code, out_text, err_text";

  private final Database db;
  private final Clock clock;
  private final ClaimFence fence;

  public RequestStore(Database db, Clock clock) {
    this(db, clock, ClaimFence.NONE);
  }

  /**
   * {@code fence}: checked in each claim's transaction, so a daemon that stalled past its lease
   * claims nothing once another took over: the new leader abandons RUNNING requests only at its
   * take-over, and a request claimed after that by a node that then died would keep its command
   * waiting for an answer no node writes.
   */
  public RequestStore(Database db, Clock clock, ClaimFence fence) {
    this.db = db;
    this.clock = clock;
    this.fence = fence;
  }

  public long submit(OperatorRequest.Kind kind, String target, boolean json) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO operator_request "
          + "(kind, target, json, state, created_at, updated_at) VALUES (?, ?, ?, 'PENDING', ?, ?) RETURNING id")) {
        ps.setString(1, kind.name());
        ps.setString(2, target);
        ps.setInt(3, json ? 1 : 0);
        ps.setLong(4, clock.millis());
        ps.setLong(5, clock.millis());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  /**
   * The oldest pending request of a kind this release knows, now RUNNING, if any. A kind written by
   * a newer release's command stays pending for a node that knows it (a rolling upgrade).
   */
  public Optional<OperatorRequest> claimNext() {
    // one statement, so two daemons on one PostgreSQL can never both claim a request
    return db.write(c -> {
      // The executor asks several times a second, nearly always finding nothing: the fence locks the
      // lease row (on PostgreSQL), which the leader's renewal and every standby's take-over wait
      // behind, so it is taken only for a request there is to claim.
      if (!anyPending(c) || !fence.holds(c)) {
        return Optional.<Long>empty();
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE operator_request SET state = 'RUNNING', updated_at = ? "
          + "WHERE state = 'PENDING' AND id = (SELECT id FROM operator_request WHERE state = 'PENDING' AND kind IN "
          + KNOWN_KINDS + " ORDER BY id LIMIT 1" + Dialect.of(c).skipLocked() + ") RETURNING id")) {
        ps.setLong(1, clock.millis());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
        }
      }
    }).flatMap(this::get);
  }

  private static boolean anyPending(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM operator_request WHERE state = 'PENDING' AND kind IN " + KNOWN_KINDS + " LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * Requests a previous daemon left RUNNING when it stopped are answered as failed: the command
   * that waits on them must not wait forever, and running them again unasked could surprise.
   * Fenced like a claim (review-s6b F1): a daemon that stalled between its take-over and this call,
   * while another took over and claimed a request, must not answer that request as failed.
   */
  public int abandonRunning(String why) {
    return abandonRunning(why, -1);
  }

  /** {@link #abandonRunning(String)} but for request {@code stillRunning}, which a thread of this process carries out yet. */
  public int abandonRunning(String why, long stillRunning) {
    return db.write(c -> {
      if (!fence.holds(c)) {
        return 0;
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE operator_request SET state = 'DONE', exit_code = 1, "
          + "err_text = ?, updated_at = ? WHERE state = 'RUNNING' AND id <> ?")) {
        ps.setString(1, why);
        ps.setLong(2, clock.millis());
        ps.setLong(3, stillRunning);
        return ps.executeUpdate();
      }
    });
  }

  public void planned(long id, String text) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE operator_request SET plan_text = ?, updated_at = ? WHERE id = ?")) {
        ps.setString(1, text);
        ps.setLong(2, clock.millis());
        ps.setLong(3, id);
        return ps.executeUpdate();
      }
    });
  }

  public void progress(long id, String phase, int done, int total) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE operator_request SET phase = ?, done = ?, total = ?, updated_at = ? WHERE id = ?")) {
        ps.setString(1, phase);
        ps.setInt(2, done);
        ps.setInt(3, total);
        ps.setLong(4, clock.millis());
        ps.setLong(5, id);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * What the waiting command says on stderr while the request runs (what it waits for), kept
   * where the answer's stderr goes: an older command reads that only once the request is DONE.
   */
  public void notice(long id, String text) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE operator_request SET err_text = ?, updated_at = ? WHERE id = ? AND state = 'RUNNING'")) {
        ps.setString(1, text);
        ps.setLong(2, clock.millis());
        ps.setLong(3, id);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Answers a RUNNING request; false when it was answered meanwhile (a daemon that took over
   * abandoned it), whose answer the command may have printed already and must not change.
   */
  public boolean answer(long id, OperatorRequest.Answer answer) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE operator_request SET state = 'DONE', exit_code = ?, "
          + "out_text = ?, err_text = ?, updated_at = ? WHERE id = ? AND state = 'RUNNING'")) {
        ps.setInt(1, answer.exitCode());
        ps.setString(2, answer.out());
        ps.setString(3, answer.err());
        ps.setLong(4, clock.millis());
        ps.setLong(5, id);
        return ps.executeUpdate();
      }
    }) == 1;
  }

  /**
   * Deletes requests answered longer than {@code kept} ago: a row only serves the command waiting
   * on it, so old ones are nothing but growth. Returns how many.
   */
  public int pruneAnswered(Duration kept) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM operator_request WHERE state = 'DONE' AND updated_at < ?")) {
        ps.setLong(1, clock.millis() - kept.toMillis());
        return ps.executeUpdate();
      }
    });
  }

  /** A request claimed as its daemon stepped down goes back to PENDING, for the next leader; false if it is not RUNNING. */
  public boolean release(long id) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE operator_request SET state = 'PENDING', updated_at = ? "
          + "WHERE id = ? AND state = 'RUNNING'")) {
        ps.setLong(1, clock.millis());
        ps.setLong(2, id);
        return ps.executeUpdate();
      }
    }) == 1;
  }

  /** A request no one carried out is withdrawn, so a daemon starting later does not act on a command given up on. */
  public boolean withdraw(long id) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM operator_request WHERE id = ? AND state = 'PENDING'")) {
        ps.setLong(1, id);
        return ps.executeUpdate();
      }
    }) == 1;
  }

  /**
   * A request claimed before request {@code id}, as a waiting command names it; {@code kind} as
   * stored: a newer daemon's kind this release does not know is named all the same.
   */
  public record Ahead(long id, String kind, Instant createdAt) {}

  /** The request the daemon is carrying out while request {@code id} waits, if any. */
  public Optional<Ahead> ahead(long id) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, created_at FROM operator_request "
          + "WHERE state = 'RUNNING' AND id < ? ORDER BY id LIMIT 1")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Ahead(rs.getLong(1), rs.getString(2),
              Instant.ofEpochMilli(rs.getLong(3)))) : Optional.<Ahead>empty();
        }
      }
    });
  }

  public Optional<OperatorRequest> get(long id) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM operator_request WHERE id = ?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          rs.getInt(10);
          boolean answered = !rs.wasNull();
          OperatorRequest.Answer answer = answered ? new OperatorRequest.Answer(rs.getInt(10), rs.getString(11), rs.getString(12))
              : null;
          return Optional.of(new OperatorRequest(rs.getLong(1), OperatorRequest.Kind.valueOf(rs.getString(2)),
              rs.getString(3), rs.getInt(4) == 1, OperatorRequest.State.valueOf(rs.getString(5)), rs.getString(6),
              rs.getString(7), rs.getInt(8), rs.getInt(9), answered ? null : rs.getString(12), answer));
        }
      }
    });
  }
}
