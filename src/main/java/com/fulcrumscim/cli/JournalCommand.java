package com.fulcrumscim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.CliJson;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.ops.CliArguments;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.scim.ScimJson;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code journal list|show|retry|skip}: the work rows (one per user or group) and the changes behind them. */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description = {
      "Inspect and recover the work queue: one row per user or group, and the journal of SCIM changes Okta or Entra "
          + "sent for it.",
      "A row's key is user/<SCIM id> or group/<SCIM id>. Safe while the daemon runs."
    },
    subcommands = {
      JournalCommand.ListRows.class,
      JournalCommand.Show.class,
      JournalCommand.Retry.class,
      JournalCommand.Skip.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:unknown key, a row not in the state the command needs (for skip: or changed since it was read), no database, "
          + "or (retry, skip with no daemon running) a restore or db command holds the SQLite file "
          + "(or a restore replaced it since the command opened it)",
      "2:invalid config or command line"
    })
public final class JournalCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Work rows, least recently changed first.")
  static final class ListRows implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Option(names = "--state", paramLabel = "STATE", converter = CliArguments.State.class,
        description = "Only rows in this state: pending, running, retrying, done, dead, held, skipped.")
    WorkState state;

    @Option(names = "--entity", paramLabel = "user|group", converter = CliArguments.Entity.class, description = "Only users or only groups.")
    EntityType entity;

    @Option(names = "--id", paramLabel = "ID", description = "Only the row(s) of this SCIM id.")
    String id;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", converter = CliArguments.Limit.class,
        description = "At most N rows (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the rows as a JSON array (empty when none match).")
    boolean json;

    /** One row as {@code --json} prints it; the key as operators type it. */
    record Row(String key, String state, int attempts, Instant nextAttemptAt, Instant updatedAt, String lastError) {}

    @Override
    public Integer call() {
      support.failuresAsJson(json);
      return support.readDatabase((config, db) -> {
        // one row past the limit tells whether there are more, which the listing says
        List<WorkItem> fetched = rows(new WorkQueue(db, Clock.systemUTC()),
            limit == Integer.MAX_VALUE ? limit : limit + 1);
        boolean more = fetched.size() > limit;
        List<WorkItem> rows = more ? fetched.subList(0, limit) : fetched;
        if (json) {
          support.out().println(CliJson.write(rows.stream().map(w -> new Row(w.key().toString(),
              w.state().name().toLowerCase(Locale.ROOT), w.attempts(), w.nextAttemptAt(), w.updatedAt(), w.lastError()))
              .toList()));
          return ExitCode.OK;
        }
        if (rows.isEmpty()) {
          support.out().println("no work rows match");
          return ExitCode.OK;
        }
        TextTable table = new TextTable("KEY", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "UPDATED", "LAST ERROR");
        rows.forEach(w -> table.row(w.key(), w.state(), w.attempts(), w.nextAttemptAt(), w.updatedAt(), w.lastError()));
        table.print(support.out(), "");
        if (more) {
          support.out().println("... more rows match: these are the first " + limit + "; raise --limit to see them");
        }
        return ExitCode.OK;
      });
    }

    private List<WorkItem> rows(WorkQueue queue, int limit) {
      if (id != null) {
        return Stream.of(EntityType.values())
            .filter(t -> entity == null || entity == t)
            .flatMap(t -> queue.get(new ResourceKey(t, id)).stream())
            .filter(w -> state == null || w.state() == state)
            .limit(limit)
            .toList();
      }
      if (entity == null) {
        return queue.list(state, limit);
      }
      // No entity filter in the work queue's index; an operator listing is rare and the table small enough.
      return queue.list(state, Integer.MAX_VALUE).stream().filter(w -> w.key().type() == entity).limit(limit).toList();
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One key's work row and its journal entries, newest first, with the request bodies.")
  static final class Show implements Callable<Integer> {
    // the endpoint's reading of numbers: a custom extension's decimal shown as the journal holds it, not as a double
    private static final ObjectMapper JSON = ScimJson.newMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin CommandSupport support;

    @Parameters(paramLabel = "KEY", converter = CliArguments.Key.class, description = "user/<SCIM id> or group/<SCIM id>")
    ResourceKey key;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", converter = CliArguments.Limit.class,
        description = "At most N journal entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      return support.readDatabase((config, db) -> {
        Optional<WorkItem> work = new WorkQueue(db, Clock.systemUTC()).get(key);
        List<OpsStore.JournalEntry> entries = new OpsStore(db).journal(key, limit);
        if (work.isEmpty() && entries.isEmpty()) {
          throw unknown(key);
        }
        PrintWriter out = support.out();
        work.ifPresentOrElse(w -> new TextTable("Key", w.key().toString())
                .row("State", w.state())
                .row("Generation", w.generation())
                .row("Attempts", w.attempts())
                .row("First failure", w.firstFailureAt())
                // the column keeps its last value, a past time for a row that is DEAD, HELD or DONE: none will come
                .row("Next attempt", w.state() == WorkState.PENDING || w.state() == WorkState.RETRYING ? w.nextAttemptAt() : null)
                .row("Updated", w.updatedAt())
                .row("Last error", w.lastError())
                .print(out, ""),
            () -> out.println(key + ": no work row"));
        out.println();
        out.println("Journal (" + entries.size() + (entries.size() == limit ? ", newest " + limit : "") + "):");
        for (OpsStore.JournalEntry e : entries) {
          out.println("#" + e.id() + "  " + e.receivedAt() + "  " + e.op() + "  request " + e.requestId());
          if (e.body() != null && !e.body().isBlank()) {
            out.println(TerminalText.escape(pretty(e.body())).indent(4).stripTrailing());
          }
        }
        return ExitCode.OK;
      });
    }

    private static String pretty(String body) {
      try {
        return JSON.writeValueAsString(JSON.readTree(body));
      } catch (Exception notJson) {
        return body;
      }
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Make a DEAD row due again with a fresh retry budget (a running daemon applies it at once).")
  static final class Retry implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Parameters(paramLabel = "KEY", arity = "0..1", converter = CliArguments.Key.class,
        description = "user/<SCIM id> or group/<SCIM id>")
    ResourceKey key;

    @Option(names = "--all-dead", description = "Every DEAD row.")
    boolean allDead;

    @Override
    public Integer call() {
      if ((key == null) == !allDead) {
        support.err().println("give a KEY or --all-dead (not both)");
        return ExitCode.CONFIG;
      }
      return act(support, OperatorRequest.Kind.RETRY, key, actions -> actions.retry(key));
    }
  }

  @Command(name = "skip", mixinStandardHelpOptions = true,
      description = {"Set a DEAD or HELD row aside: marked DONE without applying it.",
          "Fulcrum keeps what it has for this key until Okta sends the next change: a removal set aside leaves the person "
              + "their access. Only the change DEAD or HELD when the command runs: if a newer one takes its place before "
              + "the daemon carries the skip out, nothing is skipped."})
  static final class Skip implements Callable<Integer> {
    @Mixin CommandSupport support;

    @Parameters(paramLabel = "KEY", converter = CliArguments.Key.class, description = "user/<SCIM id> or group/<SCIM id>")
    ResourceKey key;

    @Override
    public Integer call() {
      return support.withDatabase((config, db) -> {
        // The generation the operator is skipping is the one here now; the daemon carries the skip
        // out later, when a newer change may have gone DEAD or HELD in its place. No row: generation 0,
        // which no row has, and the answer says the key is unknown.
        long seen = new WorkQueue(db, Clock.systemUTC()).get(key).map(WorkItem::generation).orElse(0L);
        return act(support, config, db, OperatorRequest.Kind.SKIP, OperatorRequest.skipTarget(key, seen),
            actions -> actions.skip(key, seen));
      });
    }
  }

  /**
   * Retry and skip change only work rows, but through the one writer all the same: the daemon
   * when it runs (it wakes its reconciler at once), else this command under the writer lease.
   */
  private static int act(CommandSupport support, OperatorRequest.Kind kind, ResourceKey key,
      java.util.function.Function<OperatorActions, OperatorRequest.Answer> action) {
    return support.withDatabase((config, db) -> act(support, config, db, kind, key == null ? null : key.toString(), action));
  }

  private static int act(CommandSupport support, BridgeConfig config, Database db, OperatorRequest.Kind kind, String target,
      java.util.function.Function<OperatorActions, OperatorRequest.Answer> action) throws InterruptedException {
    Clock clock = Clock.systemUTC();
    OperatorRequest.Answer answer = new CommandChannel(db, clock, config.ha().leaseTtl(), support.err()).perform(kind,
        target, false, true, Watch.NONE, (watch, fence) -> action.apply(OperatorActions.withoutDaemon(config, db, clock)));
    return answer.printTo(support.out(), support.err());
  }

  private static CommandFailure unknown(ResourceKey key) {
    return new CommandFailure(OperatorActions.unknown(key));
  }
}
