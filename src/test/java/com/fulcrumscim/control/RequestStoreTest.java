package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

  @Test
  void answeringARequestPrunesRequestsAnsweredMoreThanAWeekAgoAndKeepsTheRest() {
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      RequestStore store = new RequestStore(db, Clock.systemUTC());
      long weekAgo = System.currentTimeMillis() - RequestExecutor.KEEP_ANSWERED.toMillis();
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO operator_request (kind, json, state, created_at, "
          + "updated_at, exit_code) VALUES ('RETRY', 0, 'DONE', 1, " + (weekAgo - 60_000) + ", 0), "
          + "('RETRY', 0, 'DONE', 1, " + (weekAgo + 60_000) + ", 0), ('RETRY', 0, 'RUNNING', 1, 1, NULL)"));
      long asked = store.submit(OperatorRequest.Kind.APPROVE_REMOVALS, null, false);
      RequestExecutor executor = new RequestExecutor(store, OperatorActions.configured(
          ConfigLoader.fromSystemEnvironment().defaults(), db, Clock.systemUTC(), () -> {}),
          () -> null);
      try {
        executor.start();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> store.get(asked).map(r -> r.state() == OperatorRequest.State.DONE).orElse(false));
      } finally {
        executor.close();
      }

      String left = db.read(c -> {
        try (var rs = c.createStatement().executeQuery("SELECT state || '@' || (updated_at > " + weekAgo + ") "
            + "FROM operator_request ORDER BY id")) {
          StringBuilder out = new StringBuilder();
          while (rs.next()) {
            out.append(rs.getString(1)).append(' ');
          }
          return out.toString().strip();
        }
      });
      // the week-old answer is gone; the newer one, the request a stopped daemon left RUNNING (answered
      // as abandoned at start) and the one just carried out stay
      assertThat(left).isEqualTo("DONE@1 DONE@1 DONE@1");
    }
  }
}
