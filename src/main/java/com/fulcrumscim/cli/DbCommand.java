package com.fulcrumscim.cli;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.StoreLocations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code db migrate}: the one operator command that creates or changes the schema (serve does it too, at start). */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The bridge's database (SQLite file or PostgreSQL).",
    subcommands = DbCommand.Migrate.class)
public final class DbCommand {

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = {
        "Create the database at storage.path (or the tables in storage.url), or bring its schema to this release's version.",
        "Run it after an upgrade, before starting the new release (`serve` also migrates at start).",
        "Other commands never migrate: they refuse a database whose schema differs from theirs."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the schema is current",
        "1:the database cannot be opened or a migration failed",
        "2:invalid config, or a database newer than this release (run the newer release)"
      })
  static final class Migrate implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Override
    public Integer call() {
      return support.withConfig(key -> key.startsWith("storage."), config -> {
        Migrations.Versions v = Database.migrate(StoreLocations.of(config.storage()));
        String path = config.storage().describe();
        support.out().println(v.found() == v.known() ? path + ": schema version " + v.known() + ", already current"
            : path + ": schema version " + v.found() + " -> " + v.known() + (v.found() == 0 ? " (created)" : " (migrated)"));
        return ExitCode.OK;
      });
    }
  }
}
