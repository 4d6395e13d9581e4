package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumOrganization;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Which Fulcrum organization the link rows point into, by the id its API tokens report
 * ({@code users.json}'s current_organization), kept in the setting table ({@value #KEY}, the name
 * beside it for messages). {@link LinkTarget} keeps the URL, which another host name may change for
 * the same organization; only this tells a renamed host from another organization (review-s17ha F1:
 * a node with a staging config led a production database, and every deactivation found its linked
 * member "already gone" in the wrong Fulcrum and dropped the link, the person keeping access).
 */
public final class LinkOrganization {
  public static final String KEY = "fulcrum.link_organization";
  public static final String NAME_KEY = "fulcrum.link_organization_name";

  private LinkOrganization() {}

  /**
   * At start, once this node's token reported {@code mine}: the organization recorded, when it is
   * another. None recorded yet, this node records its own only when its {@code baseUrl} is the one the
   * links are recorded at, or there are no links: a node of an upgraded cluster that is configured
   * otherwise than the leader must not make its organization the database's before the leader does.
   */
  public static Optional<FulcrumOrganization> atStart(Database db, FulcrumOrganization mine, String baseUrl) {
    return db.write(c -> {
      Optional<FulcrumOrganization> recorded = recorded(c);
      if (recorded.isEmpty() && (noLinks(c) || LinkTarget.recorded(c).filter(t -> LinkTarget.same(t, baseUrl)).isPresent())) {
        recorded = recordFirst(c, mine);
      }
      return recorded.filter(r -> !r.id().equals(mine.id()));
    });
  }

  /**
   * At a take-over and each renewal of the writer lease, within {@code bound}: the organization
   * recorded, when it is another; none recorded yet, the leader's is recorded (nothing recorded it
   * before: a database of an earlier release, or a first start whose Fulcrum did not answer).
   */
  public static Optional<FulcrumOrganization> leading(Database db, FulcrumOrganization mine, Duration bound) {
    return db.write(c -> {
      Optional<FulcrumOrganization> recorded = recorded(c);
      return (recorded.isPresent() ? recorded : recordFirst(c, mine)).filter(r -> !r.id().equals(mine.id()));
    }, bound);
  }

  private static Optional<FulcrumOrganization> recorded(Connection c) throws SQLException {
    Optional<String> id = value(c, KEY);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new FulcrumOrganization(id.get(), value(c, NAME_KEY).orElse("?")));
  }

  /** {@code mine}, or the one another node recorded first meanwhile. */
  private static Optional<FulcrumOrganization> recordFirst(Connection c, FulcrumOrganization mine) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
      ps.setString(1, KEY);
      ps.setString(2, mine.id());
      if (ps.executeUpdate() == 1) {
        try (PreparedStatement name = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?) "
            + "ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
          name.setString(1, NAME_KEY);
          name.setString(2, mine.name() == null ? "?" : mine.name());
          name.executeUpdate();
        }
      }
    }
    return recorded(c);
  }

  private static Optional<String> value(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static boolean noLinks(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM link LIMIT 1"); ResultSet rs = ps.executeQuery()) {
      return !rs.next();
    }
  }
}
