package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.journal.Tombstones;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Who a work row is about, in an operator's words: "user ada (ada@corp.example)" (a deleted user as
 * its tombstone kept it), "group Crew". An operator deciding whether a held or failing removal is
 * real needs the person, not a SCIM id that takes a `journal show` each to tell.
 */
public final class Person {
  private final Database db;
  private final DesiredState desired;
  private final Tombstones tombstones = new Tombstones();

  public Person(Database db) {
    this.db = db;
    this.desired = new DesiredState(db);
  }

  public String of(ResourceKey key) {
    return db.read(c -> of(c, key));
  }

  /** As {@link #of(ResourceKey)}, inside the caller's read; the key itself when nothing is kept of it. */
  public String of(Connection c, ResourceKey key) throws SQLException {
    return named(c, key).map(n -> n.kind() + " " + n.name() + n.email().map(e -> " (" + e + ")").orElse("")).orElse(key.toString());
  }

  /** "user ada (ada@corp.example, user/&lt;id&gt;)": for lists of keys an operator may look up next. */
  public String withKey(Connection c, ResourceKey key) throws SQLException {
    return named(c, key).map(n -> n.kind() + " " + n.name() + " (" + n.email().map(e -> e + ", ").orElse("") + key + ")")
        .orElse(key.toString());
  }

  /**
   * {@code email}: only when it is not the name already (Okta's userName is often the email). Both
   * on one line, control characters escaped: a release before 6 December 2026 stored what a client
   * sent, and these go into log lines and a terminal.
   */
  private record Named(String kind, String name, Optional<String> email) {
    static Named user(String userName, String email) {
      return new Named("user", TerminalText.oneLine(userName),
          Optional.ofNullable(email).filter(e -> !e.equalsIgnoreCase(userName)).map(TerminalText::oneLine));
    }
  }

  private Optional<Named> named(Connection c, ResourceKey key) throws SQLException {
    if (key.type() == EntityType.GROUP) {
      // the name alone: DesiredState reads a group with all its members, thousands for a big one, at every failure
      try (PreparedStatement ps = c.prepareStatement("SELECT display_name FROM scim_group WHERE id = ?")) {
        ps.setString(1, key.scimId());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Named("group", TerminalText.oneLine(rs.getString(1)), Optional.empty()))
              : Optional.empty();
        }
      }
    }
    Optional<DesiredUser> user = desired.user(c, key.scimId());
    if (user.isPresent()) {
      return Optional.of(Named.user(user.get().userName(), user.get().email()));
    }
    return tombstones.find(c, key.scimId()).map(d -> Named.user(d.userName(), d.email()));
  }
}
