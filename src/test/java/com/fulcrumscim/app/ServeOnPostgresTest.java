package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.cli.OpsCliRun;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code serve} process with storage.url on PostgreSQL: SCIM in, reconciled into the emulator, operator commands beside it. */
@RequiresPostgres
class ServeOnPostgresTest {
  static final String TOKEN = "serve-on-postgres-token-4f1a9c7e2b8d";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  PostgresServer.Database pg;
  Path config;

  @BeforeEach
  void setUp() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    storeIn(PostgresServer.shared().migratedDatabase());
  }

  void storeIn(PostgresServer.Database database) throws Exception {
    pg = database;
    config = BridgeProcess.writePostgresConfig(dir, fulcrum.baseUrl(), fulcrum.token(), pg, 3_600_000, "");
  }

  @AfterEach
  void tearDown() {
    fulcrum.close();
  }

  @Test
  void serveOnPostgresTakesScimAndReconcilesIntoFulcrumWithNoSqliteFile() throws Exception {
    storeIn(PostgresServer.shared().freshDatabase()); // empty: serve itself creates the schema there
    try (BridgeProcess serve = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimOkta okta = new ScimOkta(new ScimHttp(serve.endpoint(), "Bearer " + TOKEN));
      String ada = okta.user("ada@corp.example", "Ada", "Lovelace", null);
      okta.group("Engines", List.of(ada));

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(fulcrum.memberByEmail("ada@corp.example")).isPresent();
        assertThat(fulcrum.groups().stream().filter(g -> g.name().equals("Engines")).map(FulcrumGroup::memberIds))
            .singleElement().satisfies(ids -> assertThat(ids).hasSize(1));
      });
      assertThat(dir.resolve("bridge.db")).doesNotExist();
    }
  }

  @Test
  void operatorCommandsReadAndActOnThePostgresStoreBesideTheDaemon() throws Exception {
    try (BridgeProcess serve = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimOkta okta = new ScimOkta(new ScimHttp(serve.endpoint(), "Bearer " + TOKEN));
      String ada = okta.user("ada@corp.example", "Ada", "Lovelace", null);
      await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail("ada@corp.example").isPresent());

      // status as the operator runs it, in a process of its own; the rest in this JVM, sparing a JVM start each
      BridgeProcess.CommandRun status = BridgeProcess.command(config, "status");
      OpsCliRun cli = new OpsCliRun(Files.createDirectories(dir.resolve("cli")));
      String c = config.toString();
      OpsCliRun.Result journal = cli.run("journal", "show", "user/" + ada, "--config", c);
      OpsCliRun.Result audit = cli.run("audit", "--config", c);
      OpsCliRun.Result resync = cli.run("resync", "--config", c);
      OpsCliRun.Result check = cli.run("check", "--config", c);
      OpsCliRun.Result migrate = cli.run("db", "migrate", "--config", c);

      assertThat(status.exit()).as(status.err()).isZero();
      assertThat(journal.exit()).as(journal.err()).isZero();
      assertThat(journal.out()).contains("CREATE");
      assertThat(audit.exit()).as(audit.err()).isZero();
      assertThat(audit.out()).contains("CREATE_MEMBER");
      assertThat(resync.exit()).as(resync.out() + resync.err()).isZero();
      assertThat(check.exit()).as(check.out() + check.err()).isZero();
      assertThat(check.out()).contains(pg.jdbcUrl() + ": opens, schema current");
      assertThat(migrate.exit()).as(migrate.err()).isZero();
      assertThat(migrate.out()).contains("already current");
    }
  }

  @Test
  void aSecondNodeWhoseConfigLeavesOutFulcrumRefusesTheSharedDatabaseInOneLineWithExitTwo() throws Exception {
    try (BridgeProcess first = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimOkta okta = new ScimOkta(new ScimHttp(first.endpoint(), "Bearer " + TOKEN));
      okta.user("ada@corp.example", "Ada", "Lovelace", null);
      await().atMost(Duration.ofSeconds(30)).until(() -> links().size() == 1);
      List<String> links = links();

      // fulcrum.base_url left out: the embedded emulator, by default
      Path second = Files.createDirectories(dir.resolve("second")).resolve("config.yml");
      Files.writeString(second, """
          server:
            port: %d
          storage:
            url: %s
            username: %s
            password: %s
          """.formatted(BridgeProcess.freePort(), pg.jdbcUrl(), pg.username(), pg.password()));
      try (BridgeProcess refused = BridgeProcess.serve(second, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
        assertThat(refused.process().waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(refused.terminate()).isEqualTo(2);
        assertThat(refused.output()).filteredOn(l -> l.contains("fulcrum.base_url")).singleElement().asString()
            .startsWith(second + ": fulcrum.base_url: ").contains(fulcrum.baseUrl());
      }
      assertThat(links()).isEqualTo(links);
      assertThat(first.process().isAlive()).isTrue();
    }
  }

  /** "scim id -> fulcrum id" of every link row in the shared database. */
  List<String> links() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT scim_id, fulcrum_id FROM link ORDER BY scim_id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + " -> " + rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void backupRefusesPostgresInOneLinePointingToPgDump() throws Exception {
    BridgeProcess.CommandRun backup = BridgeProcess.command(config, "backup", dir.resolve("copy.db").toString());

    assertThat(backup.exit()).isEqualTo(1);
    assertThat(backup.err().strip()).doesNotContain("\n").contains("pg_dump");
    assertThat(dir.resolve("copy.db")).doesNotExist();
  }
}
