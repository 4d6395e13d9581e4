package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db mark-restored} after a pg_restore: the database the restore replaced is PostgreSQL,
 * which the carry forward cannot read, so the operator gets the list of what to check by hand.
 */
@RequiresPostgres
class MarkRestoredOnPostgresTest {
  @TempDir Path dir;
  StoreLocation.Postgres store;
  Path config;

  @BeforeEach
  void aRestoredPostgresDatabase() throws Exception {
    PostgresServer.Database pg = PostgresServer.shared().migratedDatabase();
    store = new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password());
    config = Files.writeString(dir.resolve("pg.yml"), """
        storage:
          url: %s
          username: %s
          password: %s
        """.formatted(pg.jdbcUrl(), pg.username(), pg.password()));
  }

  @Test
  void markingARestoreOnPostgresWarnsOfWhatWasNotCarriedForwardAndWhatToCheck() throws Exception {
    OpsCliRun.Result r = new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("db", "mark-restored", "--config", config.toString());

    assertThat(r.exit()).as("recorded, but nothing carried: " + r.err()).isEqualTo(3);
    assertThat(r.out()).startsWith("restore recorded at ");
    assertThat(r.err()).contains("WARNING: NOTHING was carried forward from the database this restore replaced.",
        "people deactivated or unassigned after the backup", "groups pushed after the backup",
        "README, \"Backup and restore\", \"When the restore cannot carry everything forward\" before you start the first node");
  }

  /** Nothing could be carried from a PostgreSQL database: status says so, exit 3, until an operator acknowledges it. */
  @Test
  void whatAMarkedRestoreCouldNotCarryIsShownByStatusUntilAcknowledged() throws Exception {
    OpsCliRun cli = new OpsCliRun(Files.createDirectories(dir.resolve("cli")));
    assertThat(cli.run("db", "mark-restored", "--config", config.toString()).exit()).isEqualTo(3);

    OpsCliRun.Result before = cli.run("status", "--config", config.toString());
    OpsCliRun.Result acknowledged = cli.run("restore", "acknowledge", "--config", config.toString());
    OpsCliRun.Result after = cli.run("status", "--config", config.toString());

    assertThat(before.exit()).as(before.out()).isEqualTo(3);
    assertThat(before.out()).contains("INCOMPLETE: the restore at ",
        "- nothing was carried: the database this restore replaced is PostgreSQL, which the carry cannot read");
    assertThat(acknowledged.exit()).as(acknowledged.err()).isZero();
    assertThat(after.exit()).as(after.out()).isZero();
    assertThat(after.out()).contains("nothing left to check");
  }

  @Test
  void replacedIsRefusedOnPostgresAndNothingIsMarked() throws Exception {
    Path old = Files.writeString(dir.resolve("old.db"), "an old file");

    OpsCliRun.Result r = new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("db", "mark-restored", "--replaced", old.toString(), "--config",
        config.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--replaced reads the SQLite file a restore replaced; storage.url is PostgreSQL",
        "nothing was changed");
    try (Database db = Database.openExisting(store, Database.Access.READ_ONLY)) {
      assertThat(new RestoreMarker(db).current()).isEmpty();
    }
  }
}
