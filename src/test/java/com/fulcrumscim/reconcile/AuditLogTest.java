package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  Database db;
  AuditLog audit;

  @BeforeEach
  void open() {
    db = Database.open(new StoreLocation.SqliteFile(dir.resolve("a.db")));
    audit = new AuditLog(db, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void anEntryKeepsTheMomentOfTheWriteNotTheMomentItsTransactionCommits() {
    Instant called = clock.instant();
    Database.Work<Void> entry = audit.entry(ResourceKey.user("u1"), Action.Kind.CREATE_MEMBER, "m1", "ok", "email");
    clock.tick(Duration.ofSeconds(7));
    db.write(entry);

    assertThat(audit.list(null, 10)).singleElement().satisfies(e -> {
      assertThat(e.at()).isEqualTo(called);
      assertThat(e.action()).isEqualTo("CREATE_MEMBER");
      assertThat(e.fulcrumId()).isEqualTo("m1");
    });
  }
}
