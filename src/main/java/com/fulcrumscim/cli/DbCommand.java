package com.fulcrumscim.cli;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreCopy;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.StoreLocations;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.restore.Carried;
import com.fulcrumscim.restore.CarryForward;
import com.fulcrumscim.restore.GeneratedTokenCarry;
import com.fulcrumscim.restore.IncompleteCarry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code db migrate}: the one operator command that creates or changes the schema (serve does it too, at start). */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The bridge's database (SQLite file or PostgreSQL).",
    subcommands = {DbCommand.Migrate.class, DbCommand.Copy.class, DbCommand.MarkRestored.class})
public final class DbCommand {

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = {
        "Create the database at storage.path (or the tables in storage.url), or bring its schema to this release's version.",
        "Run it after an upgrade, before starting the new release (`serve` also migrates at start), with every node "
            + "stopped: it refuses while another process (a node of the old release, an operator command) holds the "
            + "writer lease, or while `serve`, `restore` or another `db` command has the SQLite file. A lease a killed "
            + "process left is waited out until it expires (one line says so); if renewed meanwhile, it refuses.",
        "Other commands never migrate: they refuse a database whose schema differs from theirs."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the schema is current",
        "1:the database cannot be opened or a migration failed",
        "2:invalid config, a database newer than this release (run the newer release), another process's live writer lease, or serve (or restore, another db command) has the SQLite file"
      })
  static final class Migrate implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Override
    public Integer call() {
      return support.exclusively("db migrate", ExitCode.CONFIG, config -> {
        Migrations.Versions v = Database.migrate(StoreLocations.of(config.storage()));
        String path = config.storage().describe();
        support.out().println(v.found() == v.known() ? path + ": schema version " + v.known() + ", already current"
            : path + ": schema version " + v.found() + " -> " + v.known() + (v.found() == 0 ? " (created)" : " (migrated)"));
        return ExitCode.OK;
      });
    }
  }

  @Command(name = "copy", mixinStandardHelpOptions = true,
      description = {
        "Copy the SQLite database at storage.path into an empty PostgreSQL database.",
        "Every table is copied (desired state, links, intents, work rows, journal, audit, settings), into tables it "
            + "creates first; then the rows of each table are counted on both sides and printed. Stop the daemon first: "
            + "it refuses while one holds the file.",
        "Afterwards set storage.url (and username, password) in config.yml and start `serve` on PostgreSQL."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:copied, every table's row count matches",
        "1:the daemon runs, the target is not empty, a database cannot be opened, or the counts differ",
        "2:invalid config or command line"
      })
  static final class Copy implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Option(names = "--to", required = true, paramLabel = "URL", description = "jdbc:postgresql://HOST[:PORT]/DATABASE")
    String to;

    @Option(names = "--username", paramLabel = "U", description = "PostgreSQL user (default: the driver's)")
    String username;

    @Option(names = "--password-env", paramLabel = "VAR",
        description = "Environment variable holding the PostgreSQL password (it never goes on the command line)")
    String passwordEnv;

    @Override
    public Integer call() {
      return support.exclusivelyOnExisting("db copy", config -> {
        if (config.storage().postgres()) {
          throw new CommandFailure(ExitCode.CONFIG, "storage.url is set: db copy reads the SQLite file at storage.path; "
              + "remove storage.url (the copy's target goes in --to)");
        }
        if (!BridgeConfig.Storage.isPostgresUrl(to)) {
          throw new CommandFailure(ExitCode.CONFIG, "--to must be jdbc:postgresql://HOST[:PORT]/DATABASE, got '"
              + new StoreLocation.Postgres(to, null, null).describe() + "'");
        }
        String password = null;
        if (passwordEnv != null) {
          password = System.getenv(passwordEnv);
          if (password == null) {
            throw new CommandFailure(ExitCode.CONFIG, "--password-env: environment variable " + passwordEnv + " is not set");
          }
        }
        StoreLocation.Postgres target = new StoreLocation.Postgres(to, username, password);
        StoreLocation source = StoreLocations.of(config.storage());
        try (Database from = Database.openExisting(source, Database.Access.READ_ONLY)) {
          new WriterLease(from, Clock.systemUTC(), WriterLease.Role.COMMAND).current().ifPresent(holder -> {
            if (holder.role() == WriterLease.Role.DAEMON) {
              throw new CommandFailure(Migrations.leftByAServeNotRunning(holder.holder(), holder.expiresAt(),
                  source.describe(), "db copy"));
            }
            throw new CommandFailure(holder.describe() + " holds " + source.describe() + ": "
                + Migrations.untilItEnds(holder.expiresAt(), "db copy"));
          });
          StoreCopy.requireEmpty(target);
          StoreCopy.Counts counts;
          try (Database into = Database.open(target)) {
            counts = StoreCopy.copy(from, into);
          }
          TextTable report = new TextTable("Table", "SQLite", "PostgreSQL");
          counts.source().forEach((table, n) -> report.row(table, String.valueOf(n),
              String.valueOf(counts.target().getOrDefault(table, -1L))));
          report.print(support.out(), "");
          if (!counts.match()) {
            throw new CommandFailure("row counts differ between " + source.describe() + " and " + target.describe() + " (above)");
          }
          support.out().println("copied " + source.describe() + " to " + target.describe() + "; set storage.url to it and start serve");
          return ExitCode.OK;
        }
      });
    }
  }

  @Command(name = "mark-restored", mixinStandardHelpOptions = true,
      description = {
        "Record in the database that it was just restored outside the bridge (pg_restore, litestream restore), as "
            + "`fulcrum-scim restore` does itself.",
        "Someone active in the restored data with no Fulcrum member (linked and gone, or not pushed yet) may have been "
            + "deprovisioned after the backup, and is not invited until Okta sends that user again or "
            + "`fulcrum-scim restore release` lets them.",
        "Run it after the restore, before starting the service: it refuses while a process holds the writer lease, and "
            + "drops the backup's lease and unanswered operator requests.",
        "--replaced FILE (SQLite): the database the restore replaced, moved aside first; what it holds newer than the "
            + "backup is carried forward as `restore` does (deprovisionings, users and groups, links, audit rows). Without "
            + "it, a WARNING lists what was not carried and what to check by hand."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:recorded, and everything the replaced database (--replaced) held newer than the backup was carried forward (by "
            + "this run, or by an earlier run of the same restore)",
        "3:recorded, but what could not be carried forward (a WARNING on stderr, recorded for status; without --replaced,"
            + " everything, but when run again for the same restore: then what its first run left) needs an operator: follow"
            + " the README step the WARNING names, then"
            + " `fulcrum-scim restore acknowledge`",
        "1:no database, it cannot be written, a schema older than this release's (run `db migrate`), a process holds its "
            + "writer lease, serve (or restore, db copy|migrate) has the SQLite file, or no file at --replaced",
        "2:invalid config, a database newer than this release, --replaced with PostgreSQL, or command line"
      })
  static final class MarkRestored implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Option(names = "--replaced", paramLabel = "FILE",
        description = "The SQLite database this restore replaced: what it holds newer than the backup is carried forward.")
    Path replaced;

    @Override
    public Integer call() {
      return support.exclusivelyOnExisting("db mark-restored",
          config -> support.open(config, Database.Access.READ_WRITE, (opened, db) -> {
        if (replaced != null) {
          requireReplacedFile(config, db);
        }
        // run after pg_restore or litestream restore, before any node starts: a live lease is a node
        // already writing (or the backup's own, minutes old at most: wait for it to end)
        db.read(c -> Migrations.liveWriter(c, db.dialect())).ifPresent(holder -> {
          throw new CommandFailure(holder + ": stop every node first, then mark the restore; nothing was changed");
        });
        Clock clock = Clock.systemUTC();
        RestoreMarker marker = new RestoreMarker(db);
        Optional<RestoreMarker.Mark> already = marker.notStarted();
        if (already.isPresent()) {
          // run again before the service started: the same restore, whose marker, releases and pause stand
          support.out().println("restore already recorded at " + already.get().at() + " in " + config.storage().describe()
              + ", and no service has run on it since: kept as it is (" + RestoreMarker.HOLDS + ")");
        } else {
          db.write(c -> {
            Migrations.forgetTheBackupsProcesses(c, db.dialect());
            return null;
          });
          boolean replaces = marker.current().isPresent();
          RestoreMarker.Mark mark = marker.mark(clock.instant().truncatedTo(ChronoUnit.SECONDS));
          support.out().println("restore recorded at " + mark.at() + " in " + config.storage().describe()
              + (replaces ? " (in place of the earlier one, whose releases no longer count)" : "") + ": " + RestoreMarker.HOLDS);
        }
        if (replaced != null) {
          Carried carried = CarryForward.from(replaced.toAbsolutePath(), db, clock);
          carried.printTo(support.out(), support.err());
          return carried.complete() ? ExitCode.OK : ExitCode.ATTENTION;
        }
        if (already.isPresent()) {
          // the same restore, named no file this time: what its earlier run carried (or recorded as not) stands
          GeneratedTokenCarry.afterAnEarlierRun(db, IncompleteCarry.current(db)).ifPresent(support.out()::println);
          return carryKept(db, config.storage().postgres());
        }
        GeneratedTokenCarry.unverified(db).ifPresent(support.out()::println);
        IncompleteCarry.recordNothing(db, clock.instant(), config.storage().postgres()
            ? Carried.NOTHING + "the database this restore replaced is PostgreSQL, which the carry cannot read"
            : Carried.NOTHING + "no replaced database was named (--replaced FILE)");
        nothingCarried(config.storage().postgres());
        return ExitCode.ATTENTION;
      }));
    }

    private void requireReplacedFile(BridgeConfig config, Database db) throws IOException {
      if (config.storage().postgres()) {
        throw new CommandFailure(ExitCode.CONFIG, "--replaced reads the SQLite file a restore replaced; storage.url is"
            + " PostgreSQL: run without it and check by hand what it lists; nothing was changed");
      }
      if (!Files.isRegularFile(replaced)) {
        throw new CommandFailure("no file at " + replaced.toAbsolutePath() + " (--replaced); nothing was changed");
      }
      if (Files.isSameFile(replaced, db.path())) {
        throw new CommandFailure(ExitCode.CONFIG, replaced.toAbsolutePath() + " is storage.path itself, the restored"
            + " database: --replaced names the one it replaced; nothing was changed");
      }
    }

    /** Run again without --replaced: the carry the earlier run recorded, as status shows it; 3 while it is incomplete. */
    private int carryKept(Database db, boolean postgres) {
      Optional<IncompleteCarry> carry = IncompleteCarry.current(db);
      if (carry.isEmpty()) {
        support.out().println("its carry forward is kept as recorded: nothing it could not carry is left to check");
        return ExitCode.OK;
      }
      PrintWriter err = support.err();
      err.println("WARNING: its carry forward is kept as recorded at " + carry.get().at() + ", which could NOT carry forward:");
      carry.get().notCarried().forEach(line -> err.println("  - " + line));
      err.println(postgres ? "WARNING: follow the " + Carried.README_STEP + ", then run `fulcrum-scim restore acknowledge`."
          : "WARNING: if you still have the replaced database, run `fulcrum-scim db mark-restored --replaced FILE` with it"
              + " now; otherwise follow the " + Carried.README_STEP + ", then run `fulcrum-scim restore acknowledge`.");
      return ExitCode.ATTENTION;
    }

    /** No replaced database named: what the operator must now check by hand, loudly. */
    private void nothingCarried(boolean postgres) {
      PrintWriter err = support.err();
      err.println("WARNING: NOTHING was carried forward from the database this restore replaced"
          + (postgres ? "." : " (none was named: --replaced FILE)."));
      err.println("WARNING: what Okta sent after the backup is not in the restored data, and Okta does not send it again:");
      err.println("  - people deactivated or unassigned after the backup whose removal had not reached Fulcrum yet keep"
          + " their access (active and linked here, their member still in Fulcrum);");
      err.println("  - groups pushed after the backup are unknown here: their Fulcrum group keeps its members, and Okta's"
          + " changes to them are answered 404;");
      err.println("  - Fulcrum members the bridge made after the backup are unlinked here.");
      err.println(postgres
          ? "WARNING: follow the " + Carried.README_STEP + " before you start the first node."
          : "WARNING: if you still have the replaced database, run `fulcrum-scim db mark-restored --replaced FILE` with it"
              + " now; otherwise follow the " + Carried.README_STEP + " before you start the service.");
    }
  }
}
