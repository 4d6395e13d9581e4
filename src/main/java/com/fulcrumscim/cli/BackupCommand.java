package com.fulcrumscim.cli;

import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.db.SqliteBackup;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code backup FILE}: the links from SCIM ids to Fulcrum ids exist only in this database; copy it. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Write a consistent copy of the bridge's database to FILE (created by backup, mode 0600; never an existing file) while the daemon runs.",
      "Any schema version is copied (back up before `db migrate`, or after a rollback); the answer names the version.",
      "To restore: stop the service, `fulcrum-scim restore FILE`, start the service (README, \"Backup and restore\").",
      "Changes sent after the backup are not in it: people deactivated since are active again in it, and the restore "
          + "holds those whose member is gone instead of inviting them again, until Okta pushes them or an operator "
          + "releases them."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the copy is written",
      "1:no database, not a bridge database, FILE exists already, or the copy failed",
      "2:invalid config or command line"
    })
public final class BackupCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Parameters(paramLabel = "FILE", description = "Where to write the copy; must not exist yet.")
  Path target;

  @Override
  public Integer call() {
    return support.withConfig(key -> key.startsWith("storage."), config -> {
      if (config.storage().postgres()) {
        throw new CommandFailure("backup copies the SQLite file at storage.path; storage.url is PostgreSQL: back it up "
            + "with pg_dump (e.g. pg_dump -Fc -f fulcrum-scim.dump), see the README");
      }
      Path database = support.existingFile(config).toAbsolutePath();
      Migrations.Versions v = SqliteBackup.copy(database, target);
      support.out().println("backed up " + database + " to " + target.toAbsolutePath() + " (schema version " + v.found()
          + (v.found() == v.known() ? "" : "; this release's is " + v.known()) + ")");
      return ExitCode.OK;
    });
  }
}
