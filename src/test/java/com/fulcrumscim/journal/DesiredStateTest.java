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

  /** As the member list matches a member to a user ({@link MatchKey}), where SQL folds ASCII letters only. */
  @Test
  void activeUsersAreFoundByTheirEmailWithEveryLettersCaseFolded() {
    String zoe = okta.user("ZOË@corp.example", "Zoë", "Z", null);
    String inci = okta.user("İNCİ@corp.example", "İnci", "I", null);
    String ab = okta.user("a_b@corp.example", "A", "B", null);
    okta.user("axb@corp.example", "A", "X", null);
    assertThat(activeWith("zoë@Corp.example")).containsExactly(zoe);
    assertThat(activeWith("i\u0307nci\u0307@corp.example")).containsExactly(inci);
    assertThat(activeWith("A_B@corp.example")).as("'_' is no wildcard to the key").containsExactly(ab);
  }

  private List<String> activeWith(String email) {
    return db.read(c -> desired.activeUsersWithEmail(c, email)).stream().map(DesiredUser::id).toList();
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
