package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.reconcile.Link;
import com.fulcrumscim.reconcile.LinkStore;
import java.util.stream.Stream;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code db copy --to}: a single node's SQLite file moved to PostgreSQL, where serve carries on as if nothing happened. */
@RequiresPostgres
class DbCopyOnPostgresTest {
  static final String TOKEN = "db-copy-token-3f8a1c9e7b2d4f6a0c5e";
  static final String PASSWORD_VARIABLE = "COPY_TEST_PGPASSWORD";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  PostgresServer.Database pg;
  Path sqliteConfig;

  @BeforeEach
  void setUp() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    pg = PostgresServer.shared().freshDatabase();
    sqliteConfig = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), fulcrum.token(), """
          calls_per_hour: 3600000
        reconcile:
          interval: 1s
        """);
  }

  @AfterEach
  void tearDown() {
    fulcrum.close();
  }

  /** Runs serve on SQLite, has Okta create 12 users and 2 groups, waits until Fulcrum has them, stops serve. */
  void populateTheSqliteFile() throws Exception {
    try (BridgeProcess serve = BridgeProcess.serve(sqliteConfig, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimOkta okta = new ScimOkta(new ScimHttp(serve.endpoint(), "Bearer " + TOKEN));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ids.add(okta.user("person" + i + "@corp.example", "Person", "N" + i, null));
      }
      okta.group("Surveyors", ids.subList(0, 6));
      okta.group("Inspectors", ids.subList(6, 12));
      okta.set(ids.get(11), "active", 0);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(fulcrum.memberByEmail("person0@corp.example")).isPresent();
        assertThat(fulcrum.memberByEmail("person11@corp.example")).isEmpty();
        assertThat(fulcrum.groups().stream().filter(g -> g.name().equals("Inspectors")).findFirst())
            .hasValueSatisfying(g -> assertThat(g.memberIds()).hasSize(5));
        assertThat(fulcrum.groups().stream().filter(g -> g.name().equals("Surveyors")).findFirst())
            .hasValueSatisfying(g -> assertThat(g.memberIds()).hasSize(6));
      });
      try (Database sqlite = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_ONLY)) {
        // the work rows of the last reconciles reach DONE: the copy has nothing left to reconcile
        await().atMost(Duration.ofSeconds(30)).until(() -> DesiredVsActual.unsettled(sqlite).isEmpty());
      }
    }
  }

  /** {@code db copy --to} as its own process, the password in an environment variable. */
  BridgeProcess.CommandRun copy() throws Exception {
    BridgeProcess p = BridgeProcess.command(Map.of(PASSWORD_VARIABLE, pg.password()), "db", "copy", "--to", pg.jdbcUrl(),
        "--username", pg.username(), "--password-env", PASSWORD_VARIABLE, "--config", sqliteConfig.toString());
    assertThat(p.process().waitFor(3, TimeUnit.MINUTES)).isTrue();
    int exit = p.terminate(); // exited already: this waits for the output reader to catch up
    return new BridgeProcess.CommandRun(exit, String.join("\n", p.output()), "");
  }

  StoreLocation.Postgres target() {
    return new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password());
  }

  @Test
  void aCopiedStoreServesTheSameUsersAndLinksOnPostgresAndReconcilesNothingNew() throws Exception {
    populateTheSqliteFile();
    List<Link> linksBefore;
    try (Database sqlite = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_ONLY)) {
      linksBefore = new LinkStore(sqlite).all(EntityType.USER);
    }
    List<String> fulcrumIds = Stream.concat(fulcrum.members().stream().map(FulcrumMember::id),
        fulcrum.groups().stream().map(FulcrumGroup::id)).toList();
    String fulcrumBefore = fulcrum.snapshotJson(fulcrumIds);

    BridgeProcess.CommandRun copy = copy();

    assertThat(copy.exit()).as(copy.out()).isZero();
    assertThat(copy.out()).containsPattern("scim_user\\s+12\\s+12").containsPattern("scim_group\\s+2\\s+2")
        .contains("copied ");
    Path pgConfig = Files.writeString(dir.resolve("pg.yml"), Files.readString(sqliteConfig).replace("storage:\n",
        "storage:\n  url: " + pg.jdbcUrl() + "\n  username: " + pg.username() + "\n  password: " + pg.password() + "\n"));
    try (BridgeProcess serve = BridgeProcess.serve(pgConfig, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimHttp http = new ScimHttp(serve.endpoint(), "Bearer " + TOKEN);
      assertThat(http.get("/Users?count=0").json().path("totalResults").asInt()).isEqualTo(12);
      assertThat(http.get("/Groups?filter=" + ScimHttp.q("displayName eq \"Surveyors\"")).json()
          .path("Resources").get(0).path("members")).hasSize(6);
      // a new user gets a seq and id past the copied ones
      String newcomer = new ScimOkta(http).user("newcomer@corp.example", "New", "Comer", null);
      await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("newcomer@corp.example").isPresent());
      assertThat(newcomer).isNotBlank();
    }
    try (Database onPg = Database.openExisting(target(), Database.Access.READ_ONLY)) {
      List<Link> linksAfter = new LinkStore(onPg).all(EntityType.USER);
      assertThat(linksAfter).containsAll(linksBefore).hasSize(linksBefore.size() + 1);
    }
    // every member and group that was there is byte-identical: the copied state needed no reconcile
    assertThat(fulcrum.snapshotJson(fulcrumIds)).isEqualTo(fulcrumBefore);
  }

  @Test
  void copyRefusesATargetThatAlreadyHasRows() throws Exception {
    populateTheSqliteFile();
    assertThat(copy().exit()).isZero();

    BridgeProcess.CommandRun again = copy();

    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).contains("is not empty");
  }

  @Test
  void copyRefusesWhileTheDaemonHoldsTheSqliteFile() throws Exception {
    try (BridgeProcess serve = BridgeProcess.serve(sqliteConfig, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      serve.endpoint();

      BridgeProcess.CommandRun copy = copy();

      assertThat(copy.exit()).isEqualTo(1);
      assertThat(copy.out()).contains("bridge.db is in use by serve (").contains("stop it first");
    }
    try (Database onPg = Database.openExisting(target(), Database.Access.READ_ONLY)) {
      throw new AssertionError("the refused copy created the schema on " + onPg.location().describe());
    } catch (RuntimeException expected) {
      // nothing was created
    }
  }
}
