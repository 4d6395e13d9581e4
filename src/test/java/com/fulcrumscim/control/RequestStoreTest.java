package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestStoreTest {
  @TempDir Path dir;

  @Test
  void aRequestOfAKindANewerReleaseWroteStaysPendingAndTheNextKnownOneIsClaimed() {
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      RequestStore store = new RequestStore(db, Clock.systemUTC());
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO operator_request (kind, target, json, state, "
          + "created_at, updated_at) VALUES ('FROM_A_NEWER_RELEASE', NULL, 0, 'PENDING', 1, 1)"));
      long known = store.submit(OperatorRequest.Kind.APPROVE_REMOVALS, null, false);

      assertThat(store.claimNext()).hasValueSatisfying(r -> {
        assertThat(r.id()).isEqualTo(known);
        assertThat(r.state()).isEqualTo(OperatorRequest.State.RUNNING);
      });
      assertThat(store.claimNext()).isEmpty();
      String left = db.read(c -> {
        try (var rs = c.createStatement().executeQuery("SELECT state FROM operator_request WHERE kind = 'FROM_A_NEWER_RELEASE'")) {
          return rs.next() ? rs.getString(1) : null;
        }
      });
      assertThat(left).isEqualTo("PENDING");
    }
  }
}
