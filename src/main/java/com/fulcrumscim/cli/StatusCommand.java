package com.fulcrumscim.cli;

import com.fulcrumscim.app.NodeTokens;
import com.fulcrumscim.control.StalledServe;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.ops.CliJson;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.FulcrumCoolDown;
import com.fulcrumscim.ops.StatusReport;
import com.fulcrumscim.ops.TextTable;
import com.fulcrumscim.ops.WriterNode;
import com.fulcrumscim.reconcile.PolicyCheck;
import com.fulcrumscim.restore.Carried;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.resync.LastResync;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "What the bridge is doing: backlog by state, oldest pending change, last successful apply, "
          + "whether and why the reconciler is paused, dead rows, Fulcrum calls in the last hour and any cool-down holding them back, target.",
      "Reads the database directly; safe while the daemon runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:all well",
      "1:no database at storage.path",
      "2:invalid config or command line",
      "3:needs an operator: the reconciler is paused, dead rows exist, removals keep failing (retrying: those people "
          + "keep access), removals or role take-backs are held, changes "
          + "wait while no daemon holds the writer lease, a serve holds the database but has held no writer lease for "
          + "ha.lease_ttl (hung or stopping), the last resync found people Okta took away who keep access, or "
          + "a restore could not carry forward everything the replaced database held (until `fulcrum-scim restore acknowledge`)"
    })
public final class StatusCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    support.failuresAsJson(json);
    return support.readDatabase((config, db) -> {
      Clock clock = Clock.systemUTC();
      WriterLease writer = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.COMMAND, config.ha().leaseTtl());
      Optional<WriterLease.Holder> lease = writer.current();
      Optional<String> gone = StalledServe.gone(db.location(), lease);
      String stalled = gone.or(() -> StalledServe.find(db.location(), writer, config.ha().leaseTtl(), clock.instant()))
          .orElse(null);
      List<NodeTokens.Entry> nodes = new NodeTokens(db, DatabaseClock.of(db, clock)).live(config.ha().leaseTtl());
      StatusReport report = StatusReport.read(config, support.unresolved(), db, clock,
          lease.map(h -> writerLease(h, nodes)).orElse(null),
          gone.isEmpty() && lease.map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false), stalled,
          NodeTokens.differingLeaseTtls(nodes).orElse(null), NodeTokens.clocksOff(nodes).orElse(null),
          NodeTokens.fulcrumProblems(nodes));
      if (json) {
        support.out().println(CliJson.write(report));
      } else {
        print(report, clock.instant(), support.out());
      }
      return report.needsAttention() ? ExitCode.ATTENTION : ExitCode.OK;
    });
  }

  /** The holder, and for a daemon its node (host:port, as its record names it) and since when it leads. */
  private static String writerLease(WriterLease.Holder holder, List<NodeTokens.Entry> nodes) {
    if (holder.role() != WriterLease.Role.DAEMON) {
      return holder.describe();
    }
    WriterNode node = NodeTokens.writer(holder, nodes);
    return holder.describe() + "; node " + node.name() + ", holding it since " + seconds(node.since());
  }

  private static void print(StatusReport r, Instant now, PrintWriter out) {
    TextTable table = new TextTable("Target", r.target())
        .row("Reconciler", reconciler(r))
        .row("Writer lease", r.writerLease() == null ? "free: no daemon or command applies to Fulcrum now" : r.writerLease())
        .row("Backlog", r.backlog().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))
        .row("Oldest pending", r.oldestPendingSeconds() == null ? "none" : human(r.oldestPendingSeconds()))
        .row("Last successful apply", r.lastSuccessfulApply() == null ? "never"
            : seconds(r.lastSuccessfulApply()) + " (" + human(Duration.between(r.lastSuccessfulApply(), now).toSeconds()) + " ago)")
        .row("Fulcrum calls, last hour", r.fulcrumCallsLastHour() + " of " + (r.fulcrumCallsPerHour() == null
            ? "? (fulcrum.calls_per_hour's variable is not set here)" : r.fulcrumCallsPerHour()))
        .row("Fulcrum cool-down", coolDown(r, now))
        .row("Last scheduled resync", lastResync(r.lastResync()))
        .row("Dead rows", r.deadCount() == 0 ? "none" : r.deadCount() + " (`fulcrum-scim journal retry|skip`)"
            + (r.deadRemovals() == 0 ? "" : "; " + r.deadRemovals() + " of them take access away: those people KEEP ACCESS"
                + " until an operator acts on the reason below"))
        .row("Removals failing", r.failingRemovals() == 0 ? "none" : r.failingRemovals()
            + (r.failingRemovals() == 1 ? " deprovisioning" : " deprovisionings") + " RETRYING after failed attempts (below): these people KEEP ACCESS until one succeeds, or"
            + " until reconcile.retry_budget runs out and the row is dead; the log's WARN lines"
            + " `DEPROVISIONING RETRYING` and `fulcrum-scim journal show <key>` say why")
        .row("Removals waiting", r.waitingRemovals() == 0 ? "none" : r.waitingRemovals()
            + (r.waitingRemovals() == 1 ? " deprovisioning" : " deprovisionings") + " WAITING while the reconciler is PAUSED"
            + " or a rate limit holds calls back (below; no attempt spent): these people KEEP ACCESS until the pause ends"
            + " (Reconciler above says how) or the limit lets the removal through; held back past reconcile.retry_budget, it is dead")
        .row("Keeping access", r.keepsAccess() == 0 ? "none" : r.keepsAccess()
            + " deactivated or deleted in Okta but STILL WITH ACCESS in Fulcrum, as the last resync apply found"
            + (r.keepsAccessAt() == null ? "" : " at " + seconds(r.keepsAccessAt())) + ", left to an operator: that run's ERROR"
            + " lines `resync: user ... keeps access: ...` name them and what to do, and `fulcrum-scim resync --dry-run`"
            + " those still there now; the next `fulcrum-scim resync` (or the scheduled one) clears this once they are gone")
        .row("Restored from a backup", restored(r))
        .row("Carry forward", carry(r.carryIncomplete()))
        .row("Held removals", r.heldCount() == r.heldTakeBacks() ? "none" : (r.heldCount() - r.heldTakeBacks())
            + " HELD by the mass-removal guard: these people keep access until `fulcrum-scim approve-removals`")
        .row("Held role take-backs", r.heldTakeBacks() == 0 ? "none" : r.heldTakeBacks()
            + " HELD by the mass-removal guard: these members keep the role the bridge gave until `fulcrum-scim approve-removals`"
            + " (Okta names no role for them now: check its role attribute mapping first)")
        .row("Held orphan removals", r.heldOrphanRemovals() == 0 ? "none" : r.heldOrphanRemovals()
            + " orphan members HELD by the mass-removal guard at the last resync: these people keep access; check "
            + "`fulcrum-scim resync --dry-run`, then `fulcrum-scim resync --approve-removals=N` (N: how many it lists)")
        .row("Removed members' records", records(r))
        .row("Skipped", r.skippedCount() == 0 ? "none" : r.skippedCount()
            + " left alone on purpose (warning, see below)");
    PolicyCheck.frozenGroupsWarning(r.frozenGroups()).ifPresent(w -> table.row("WARNING", w));
    if (r.leaseTtlsDiffer() != null) {
      table.row("WARNING", r.leaseTtlsDiffer());
    }
    if (r.clocksOff() != null) {
      table.row("WARNING", r.clocksOff());
    }
    r.fulcrumProblems().forEach(problem -> table.row("WARNING", problem));
    table.print(out, "");
    rows(out, "DEAD", r.deadRows(), r.deadCount(), "dead");
    rows(out, "FAILING", r.failingRemovalRows(), r.failingRemovals(), "retrying");
    rows(out, "WAITING", r.waitingRemovalRows(), r.waitingRemovals(), "pending");
    rows(out, "HELD", r.heldRows(), r.heldCount(), "held");
    rows(out, "SKIPPED", r.skippedRows(), r.skippedCount(), "skipped");
    if (r.carryIncomplete() != null) {
      out.println();
      out.println("  NOT CARRIED FORWARD by the restore at " + seconds(r.carryIncomplete().at()) + ":");
      r.carryIncomplete().notCarried().forEach(line -> out.println("    - " + line));
    }
  }

  /** Fulcrum's 429 and the bridge's own budget told apart: one is Fulcrum's limit, shared by its user's tokens, the other ours. */
  private static String coolDown(StatusReport r, Instant now) {
    List<String> held = new ArrayList<>();
    FulcrumCoolDown fulcrum = r.fulcrumCoolDown();
    if (fulcrum != null) {
      held.add("NO CALLS until " + seconds(fulcrum.until()) + " (" + human(Duration.between(now, fulcrum.until()).toSeconds())
          + " more): Fulcrum answered " + fulcrum.endpoint() + " 429 at " + seconds(fulcrum.at()) + " and asked to wait"
          + " (its rate limit, counted per API token user: the Owner's other scripts and integrations spend it too)");
    }
    if (r.callBudgetSpentUntil() != null) {
      held.add("NO CALLS until " + seconds(r.callBudgetSpentUntil()) + " (" + human(Duration.between(now,
          r.callBudgetSpentUntil()).toSeconds()) + " more): the bridge's own budget (fulcrum.calls_per_hour) is spent for the"
          + " trailing hour");
    }
    return held.isEmpty() ? "none" : String.join("; and ", held) + "; removals it holds back are under Removals waiting";
  }

  private static String carry(IncompleteCarry c) {
    if (c == null) {
      return "nothing left to check (no restore lost anything, or an operator acknowledged it)";
    }
    return "INCOMPLETE: the restore at " + seconds(c.at()) + " could not carry forward " + c.notCarried().size()
        + (c.notCarried().size() == 1 ? " thing" : " things") + " the replaced database held newer than the backup (below):"
        + " a deactivation among them leaves that person's access in Fulcrum. Follow the " + Carried.README_STEP
        + ", then `fulcrum-scim restore acknowledge`";
  }

  /** Not running comes first: a pause is a setting a daemon left, which holds again once one runs. */
  private static String reconciler(StatusReport r) {
    if (!r.daemonHoldsLease()) {
      return "NOT RUNNING: " + (r.stalledServe() != null ? r.stalledServe()
          : "no daemon holds the writer lease (none runs, or one is starting or taking over), so no change "
              + "reaches Fulcrum until `fulcrum-scim serve` holds it") + (r.pausedReason() == null ? ""
              : "; and PAUSED when one last ran: " + r.pausedReason());
    }
    return r.pausedReason() == null ? "running" : "PAUSED: " + r.pausedReason();
  }

  private static void rows(PrintWriter out, String state, List<StatusReport.Row> rows, long count, String listState) {
    if (count == 0) {
      return;
    }
    out.println();
    TextTable table = new TextTable("KEY", "ATTEMPTS", state + " SINCE", "LAST ERROR");
    rows.forEach(d -> table.row(d.key(), d.attempts(), seconds(d.since()), d.lastError()));
    table.print(out, "  ");
    if (count > rows.size()) {
      // journal list stops at 50 by default too, in the same order: without --limit it showed these rows again
      out.println("  ... and " + (count - rows.size()) + " more: `fulcrum-scim journal list --state " + listState
          + " --limit " + count + "`");
    }
  }

  private static String restored(StatusReport r) {
    if (r.restoredAt() == null) {
      return "no (or its holds are over)";
    }
    return "at " + seconds(r.restoredAt()) + ": " + (r.heldAfterRestore() == 0 ? "no user held so far"
        : r.heldAfterRestore() + " user" + (r.heldAfterRestore() == 1 ? "" : "s") + " HELD (dead rows below): no Fulcrum member,"
            + " not invited in case they were deprovisioned after the backup")
        + "; `fulcrum-scim resync --dry-run` finds every one; `fulcrum-scim restore release user/<id>|--all` lets them back";
  }

  private static String records(StatusReport r) {
    if (r.unknownHere().contains("users.reassign_records_to")) {
      return "unknown: users.reassign_records_to's variable is not set here (`fulcrum-scim check` with the daemon's environment verifies it)";
    }
    if (r.reassignRecordsTo() == null) {
      return "left unassigned (users.reassign_records_to is not set)";
    }
    if (r.reassignTargetGoneAt() != null) {
      return "LEFT UNASSIGNED: users.reassign_records_to names " + r.reassignRecordsTo() + ", no longer in the "
          + "organization (the last removal, " + seconds(r.reassignTargetGoneAt()) + "); name an existing membership "
          + "(`fulcrum-scim check` verifies it)";
    }
    return "to membership " + r.reassignRecordsTo();
  }

  /** Whole seconds, as the README shows them: the database keeps millis, a resync's own clock nanoseconds. */
  private static Instant seconds(Instant at) {
    return at.truncatedTo(ChronoUnit.SECONDS);
  }

  /** 3725 → "1h 2m 5s". */
  static String human(long seconds) {
    long s = Math.max(0, seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m " + s % 60 + "s";
    }
    if (s < 86_400) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
  }

  private static String lastResync(LastResync last) {
    if (last == null) {
      return "none yet";
    }
    if (last.totals() == null) {
      return seconds(last.finishedAt()) + ": could not run: " + last.error();
    }
    return seconds(last.finishedAt()) + ": " + last.totals().checked() + " checked, " + last.totals().fixed() + " fixed, "
        + last.totals().remaining() + " drift remaining" + (last.error() == null ? "" : "; stopped early: " + last.error());
  }
}
