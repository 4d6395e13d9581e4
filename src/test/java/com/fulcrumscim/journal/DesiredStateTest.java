package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.DesiredFixture;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesiredStateTest {
  @TempDir Path dir;
  Database db;
  DesiredFixture okta;
  DesiredState desired;
  final SettableClock clock = new SettableClock();

  @BeforeEach
  void open() {
    db = Database.open(store());
    okta = new DesiredFixture(db, new WorkQueue(db, clock), clock);
    desired = new DesiredState(db);
  }

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  StoreLocation store() {
    return new StoreLocation.SqliteFile(dir.resolve("d.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void usersAreReadInCreationOrderWithEveryField() {
    String ada = okta.user("ada@corp.example", "Ada", "Lovelace", "Manager");
    String bob = okta.user("bob@corp.example", "Bob", "Builder", null);
    // inactive from the instant it was made: as good as sent inactive (the fixture creates users active)
    String cy = okta.user("cy@corp.example", "Cy", "Young", null);
    okta.set(cy, "active", 0);
    clock.tick(Duration.ofSeconds(1));
    okta.set(bob, "active", 0);
    assertThat(desired.users()).containsExactly(
        new DesiredUser(ada, "ada@corp.example", "ada@corp.example", "Ada", "Lovelace", "Manager", true, null),
        new DesiredUser(bob, "bob@corp.example", "bob@corp.example", "Bob", "Builder", null, false, "bob@corp.example"),
        new DesiredUser(cy, "cy@corp.example", "cy@corp.example", "Cy", "Young", null, false, "cy@corp.example", true));
  }

  @Test
  void aGroupListsItsMembersWithTheirEmailAndWhetherTheyAreActive() {
    String ada = okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String gone = "no-such-user";
    String crew = okta.group("Crew", List.of(ada, gone));
    DesiredGroup g = desired.groups().get(0);
    assertThat(g.id()).isEqualTo(crew);
    assertThat(g.members()).containsExactlyInAnyOrder(
        new DesiredGroup.Member(ada, "ada@corp.example", true), new DesiredGroup.Member(gone, null, false));
    assertThat(desired.group(crew)).contains(g);
    assertThat(desired.group("unknown")).isEmpty();
  }
}
