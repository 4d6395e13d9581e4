package com.fulcrumscim.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The append-only journal: one row per accepted change, what was asked and by which request. */
public final class JournalStore {
  public void append(Connection c, long receivedAt, IntakeRequest request, ResourceKey key, JournalOp op)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO journal (received_at, request_id, entity_type, entity_id, op, body) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, receivedAt);
      ps.setString(2, request.requestId());
      ps.setString(3, key.type().name());
      ps.setString(4, key.scimId());
      ps.setString(5, op.name());
      ps.setString(6, request.journalBody());
      ps.executeUpdate();
    }
  }

  /** The newest entry's id; 0 for an empty journal. Ids only grow: an entry above it came later. */
  public long lastId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM journal");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * When {@code key} was deleted, if its newest entry is a DELETE (pruning keeps each key's newest):
   * a later write of that id is the identity provider repeating itself, not state the bridge lost.
   */
  public Optional<Instant> deletedAt(Connection c, ResourceKey key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT op, received_at FROM journal WHERE entity_type = ? AND entity_id = ? ORDER BY id DESC LIMIT 1")) {
      ps.setString(1, key.type().name());
      ps.setString(2, key.scimId());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && JournalOp.DELETE.name().equals(rs.getString(1))
            ? Optional.of(Instant.ofEpochMilli(rs.getLong(2))) : Optional.empty();
      }
    }
  }

  /** Whether a change to {@code key} was journaled after the entry {@code afterId}. */
  public boolean changedAfter(Connection c, ResourceKey key, long afterId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM journal WHERE entity_type = ? AND entity_id = ? AND id > ? LIMIT 1")) {
      ps.setString(1, key.type().name());
      ps.setString(2, key.scimId());
      ps.setLong(3, afterId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Deletes up to {@code limit} entries received before {@code before}, oldest first, and answers
   * how many. Kept regardless of age: every entry of a user or group whose work row is not DONE
   * (an operator diagnosing it needs them) and the newest entry of each user or group (so
   * {@code journal show} always explains the current state).
   */
  public int prune(Connection c, Instant before, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        DELETE FROM journal WHERE id IN (
          SELECT j.id FROM journal j
          WHERE j.received_at < ?
            AND j.id < (SELECT max(n.id) FROM journal n WHERE n.entity_type = j.entity_type AND n.entity_id = j.entity_id)
            AND NOT EXISTS (SELECT 1 FROM work w
                            WHERE w.entity_type = j.entity_type AND w.entity_id = j.entity_id AND w.state <> 'DONE')
          ORDER BY j.id LIMIT ?)""")) {
      ps.setLong(1, before.toEpochMilli());
      ps.setInt(2, limit);
      return ps.executeUpdate();
    }
  }
}
