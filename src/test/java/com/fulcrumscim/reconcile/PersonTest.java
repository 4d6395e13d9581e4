package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.MatchKey;
import com.fulcrumscim.journal.ResourceKey;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who a work row is about, as log lines and status print it. */
class PersonTest {
  @TempDir Path dir;

  /** A release before 6 December 2026 stored what a client sent: it must not start a line of its own in the log. */
  @Test
  void aNameStoredWithALineBreakIsPrintedOnOneLine() {
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      ManagedOrg.writeUsers(db, 1);
      String id = ManagedOrg.userId(0);
      db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET user_name = ?, email = ?, email_key = ? WHERE id = ?")) {
          ps.setString(1, "ada\nERROR RECONCILER PAUSED: forged");
          ps.setString(2, "ada@corp.example\u001b[2J");
          ps.setString(3, MatchKey.of("ada@corp.example\u001b[2J"));
          ps.setString(4, id);
          return ps.executeUpdate();
        }
      });

      String person = new Person(db).of(ResourceKey.user(id));

      assertThat(person).doesNotContain("\n").doesNotContain("\u001b").startsWith("user ada\\u000a");
    }
  }
}
