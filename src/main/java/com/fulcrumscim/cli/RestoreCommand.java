package com.fulcrumscim.cli;

import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.SqliteRestore;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.ops.CliArguments;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.restore.Carried;
import com.fulcrumscim.restore.CarryForward;
import com.fulcrumscim.restore.IncompleteCarry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code restore BACKUP}: the SQLite file at storage.path replaced by a backup, with the restore
 * marker set in it, so that no one deprovisioned after the backup is invited again; and
 * {@code restore release}, the operator's way past that hold.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    subcommands = {RestoreCommand.Release.class, RestoreCommand.Acknowledge.class},
    description = {
      "Replace the SQLite database at storage.path with BACKUP (made by `fulcrum-scim backup`).",
      "Stop the service first: restore refuses while the daemon or an operator command holds the database. BACKUP is "
          + "copied in (mode 0600), checked (SQLite's quick_check, a bridge schema this release knows) and migrated; "
          + "the replaced database is kept beside it as <storage.path>.replaced-<time> (mode 0600). A symbolic storage.path "
          + "stays: the file it leads to is replaced, and the copies are beside that file.",
      "What the replaced database holds newer than the backup is carried forward into the restored one, read as it is "
          + "(it may be damaged): the users and groups Okta changed after the backup (deactivations and deletes the "
          + "reconciler had not applied yet among them: it removes those people when the service starts), the links to "
          + "the Fulcrum members and groups the bridge made after it, and their audit rows. A summary names each "
          + "deprovisioning; what could not be read is a WARNING on stderr naming the README step to follow, and is "
          + "recorded: `fulcrum-scim status` shows it (exit 3) until `fulcrum-scim restore acknowledge`.",
      "The restore is recorded in the database: someone active in the backup with no Fulcrum member (linked and gone, "
          + "or not pushed yet) whom nothing carried forward speaks of may have been deprovisioned after the backup, and "
          + "is not invited until Okta sends that user again or `fulcrum-scim restore release` lets them (their row is "
          + "DEAD and says so).",
      "The SCIM token serve generated is taken as the replaced database holds it: one `fulcrum-scim token forget-generated`"
          + " dropped after the backup is not accepted again, and one line says when the backup's differs.",
      "PostgreSQL: pg_restore, then `fulcrum-scim db mark-restored`."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:restored, and everything the replaced database held newer than the backup was carried forward",
      "3:restored, but what could not be carried forward (a WARNING on stderr, recorded for status) needs an operator:"
          + " follow the README step the WARNING names, then `fulcrum-scim restore acknowledge`",
      "1:the daemon or a command holds the database, BACKUP is not a readable bridge database, or the copy failed",
      "2:invalid config, PostgreSQL storage, a backup newer than this release, or command line"
    })
public final class RestoreCommand implements Callable<Integer> {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Mixin CommandSupport support;

  @Parameters(paramLabel = "BACKUP", arity = "0..1", description = "The backup file to restore.")
  Path backup;

  @Override
  public Integer call() {
    if (backup == null) {
      support.err().println("give the BACKUP file to restore (or `restore release`)");
      return ExitCode.CONFIG;
    }
    return support.exclusively("restore", ExitCode.FAILED, config -> {
      if (config.storage().postgres()) {
        throw new CommandFailure(ExitCode.CONFIG, "restore replaces the SQLite file at storage.path; storage.url is PostgreSQL:"
            + " restore with pg_restore while the service is stopped, then `fulcrum-scim db mark-restored`");
      }
      Path path = config.storage().path().toAbsolutePath();
      Clock clock = Clock.systemUTC();
      requireNoWriter(path);
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Carried[] carried = new Carried[1];
      SqliteRestore.Restored restored = SqliteRestore.restore(backup, path, STAMP.format(now), db -> {
        // the last look before the swap: a daemon of an older release (it takes no store lock) started
        // meanwhile would write on into the replaced file
        requireNoWriter(path);
        // marked first: what is carried is then the identity provider's word after the restore, not held by it
        new RestoreMarker(db).mark(now);
        // read where it stands, before the swap: what it holds newer goes in with the backup, or nothing does
        carried[0] = CarryForward.from(path, db, clock);
      });
      support.out().println("restored " + backup.toAbsolutePath() + " to " + path
          + (Files.isSymbolicLink(path) ? ", the file it links to, " + restored.file() : "") + " (schema version "
          + restored.versions().found() + (restored.versions().found() == restored.versions().known() ? ""
              : " -> " + restored.versions().known()) + ")"
          + (restored.replacedKeptAs() == null ? "" : "; the replaced database is kept as " + restored.replacedKeptAs()));
      (restored.replacedKeptAs() == null ? carried[0] : carried[0].keptAs(restored.replacedKeptAs()))
          .printTo(support.out(), support.err());
      support.out().println("restore recorded at " + now + ": " + RestoreMarker.HOLDS + ". Start the service, run"
          + " `fulcrum-scim resync --dry-run` and follow the README (\"Backup and restore\")");
      // a script must not take the WARNING's restore for a clean one: status would say 3 for it later
      return carried[0].complete() ? ExitCode.OK : ExitCode.ATTENTION;
    });
  }

  /**
   * Refuses while anyone holds the writer lease of the database at {@code path}, read whatever its
   * schema: a daemon of an older release writing to it would go on answering Okta into the replaced
   * file, and the changes it accepted (deactivations among them) would be lost.
   */
  static void requireNoWriter(Path path) {
    SqliteRestore.liveWriter(path, "restore").ifPresent(holder -> {
      throw new CommandFailure(holder + "; nothing was changed");
    });
  }

  @Command(name = "acknowledge", mixinStandardHelpOptions = true,
      description = {
        "Clear what status shows as \"Carry forward INCOMPLETE\" once you followed the README for it.",
        "A restore that could not carry forward everything the replaced database held newer than the backup records "
            + "what it lost; `fulcrum-scim status` lists it and exits 3 until this command. Nothing else clears it (a "
            + "later restore replaces it with its own): no resync can tell whether a deactivation lost with it was dealt "
            + "with. Safe while the daemon runs."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:acknowledged, or nothing was recorded",
        "1:no database",
        "2:invalid config or command line"
      })
  static final class Acknowledge implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Override
    public Integer call() {
      return support.withDatabase((config, db) -> {
        IncompleteCarry.acknowledge(db).ifPresentOrElse(
            c -> support.out().println("acknowledged: what the restore at " + c.at() + " could not carry forward ("
                + c.notCarried().size() + (c.notCarried().size() == 1 ? " line" : " lines") + ") is no longer shown by status"),
            () -> support.out().println("nothing to acknowledge: no restore recorded anything it could not carry forward"));
        return ExitCode.OK;
      });
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true,
      description = {
        "Let a user held after a restore be invited again.",
        "Such a user's member is gone from Fulcrum and Okta has sent nothing for it since the restore: check first that "
            + "Okta still assigns the person. --all ends the restore's holds for everyone, those not found yet "
            + "included: run `fulcrum-scim resync --dry-run` first and deal with every held line."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:released",
        "1:no restore is recorded, an unknown user, or (no daemon running) a restore or db command holds the SQLite file "
            + "(or a restore replaced it since the command opened it)",
        "2:invalid config or command line"
      })
  static final class Release implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Parameters(paramLabel = "KEY", arity = "0..1", converter = CliArguments.Key.class, description = "user/<SCIM id>")
    ResourceKey key;

    @Option(names = "--all", description = "Every user, and end the restore's holds.")
    boolean all;

    @Override
    public Integer call() {
      if ((key == null) == !all) {
        support.err().println("give a KEY or --all (not both)");
        return ExitCode.CONFIG;
      }
      return support.withDatabase((config, db) -> {
        Clock clock = Clock.systemUTC();
        OperatorRequest.Answer answer = new CommandChannel(db, clock, config.ha().leaseTtl(), support.err())
            .perform(OperatorRequest.Kind.RELEASE_RESTORED, key == null ? null : key.toString(), false, true, Watch.NONE,
                (watch, fence) -> OperatorActions.withoutDaemon(config, db, clock).releaseRestored(key));
        return answer.printTo(support.out(), support.err());
      });
    }
  }
}
