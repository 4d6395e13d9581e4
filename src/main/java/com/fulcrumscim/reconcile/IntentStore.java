package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Create intents (V003 reconcile_intent): written before a create call, deleted when its result is linked. */
public final class IntentStore {
  private final Database db;

  public IntentStore(Database db) {
    this.db = db;
  }

  /** The key's open intent, inside the caller's read. */
  Optional<Intent> get(Connection c, EntityType type, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT match_key, prior_ids, created_at FROM reconcile_intent WHERE entity_type = ? AND scim_id = ?")) {
      ps.setString(1, type.name());
      ps.setString(2, scimId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Set<String> prior = priors(rs.getString(2));
        return Optional.of(new Intent(scimId, rs.getString(1), prior, Instant.ofEpochMilli(rs.getLong(3))));
      }
    }
  }

  /** Every open intent of {@code type}: creates whose result was never linked (resync's orphan evidence). */
  public java.util.List<Intent> all(EntityType type) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT scim_id, match_key, prior_ids, created_at FROM reconcile_intent WHERE entity_type = ?")) {
        ps.setString(1, type.name());
        return list(ps);
      }
    });
  }

  /** The open intents of {@code type} whose match key is {@code label}'s, inside the caller's read (a small table: creates in doubt). */
  java.util.List<Intent> matching(Connection c, EntityType type, String label) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT scim_id, match_key, prior_ids, created_at FROM reconcile_intent WHERE entity_type = ? AND match_key = ?")) {
      ps.setString(1, type.name());
      ps.setString(2, Mirror.key(label));
      return list(ps);
    }
  }

  private static java.util.List<Intent> list(PreparedStatement ps) throws SQLException {
    java.util.List<Intent> out = new java.util.ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Intent(rs.getString(1), rs.getString(2), priors(rs.getString(3)), Instant.ofEpochMilli(rs.getLong(4))));
      }
    }
    return out;
  }

  /** Writes the intent, which commits before the call it announces. */
  void record(Connection c, EntityType type, Intent intent) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO reconcile_intent (entity_type, scim_id, match_key, prior_ids, created_at) VALUES (?, ?, ?, ?, ?) "
            + "ON CONFLICT (entity_type, scim_id) DO UPDATE SET match_key = excluded.match_key, "
            + "prior_ids = excluded.prior_ids, created_at = excluded.created_at")) {
      ps.setString(1, type.name());
      ps.setString(2, intent.scimId());
      ps.setString(3, intent.matchKey());
      ps.setString(4, String.join("\n", intent.priorIds()));
      ps.setLong(5, intent.createdAt().toEpochMilli());
      ps.executeUpdate();
    }
  }

  void delete(Connection c, EntityType type, String scimId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM reconcile_intent WHERE entity_type = ? AND scim_id = ?")) {
      ps.setString(1, type.name());
      ps.setString(2, scimId);
      ps.executeUpdate();
    }
  }

  private static Set<String> priors(String column) {
    return Arrays.stream(column.split("\n")).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }
}
