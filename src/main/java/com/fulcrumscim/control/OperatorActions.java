package com.fulcrumscim.control;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.reconcile.FreedEmail;
import com.fulcrumscim.reconcile.Person;
import com.fulcrumscim.reconcile.RemovalGuard;
import com.fulcrumscim.resync.Progress;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.resync.ReportJson;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the acting operator commands do, in the one process allowed to write to Fulcrum: the
 * daemon for a request it picked up, or the command itself while it holds the writer lease. The
 * answer is what the command prints, so both ways look the same to the operator.
 */
public final class OperatorActions {
  /** The resync side, which only the writer has: the daemon's own, or one the command builds. */
  public record Fulcrum(Resync resync, ReconcileWiring path, String describedAs) {}

  /** What an in-process answer adds: the command changed the database, and no reconciler runs to apply it. */
  private static final String NO_DAEMON = "no daemon holds the writer lease, so nothing is applied until one does "
      + "(`fulcrum-scim serve` takes it as it starts)";

  private final Database db;
  private final WorkQueue queue;
  private final FreedEmail freedEmail;
  private final RemovalGuard guard;
  private final RestoreMarker restore;
  private final DesiredState desired;
  private final Person person;
  /** The daemon's reconciler trigger; null in a command working without a daemon. */
  private final Runnable wake;

  /** In the daemon; {@code wake}: tells the reconciler there is due work. */
  public OperatorActions(Database db, WorkQueue queue, RemovalGuard guard, Runnable wake) {
    this.db = db;
    this.queue = queue;
    this.freedEmail = new FreedEmail(db, queue);
    this.guard = guard;
    this.restore = new RestoreMarker(db);
    this.desired = new DesiredState(db);
    this.person = new Person(db);
    this.wake = wake;
  }

  /** In the daemon, as config.yml sets the removal guard up; {@code wake} as for the constructor. */
  public static OperatorActions configured(BridgeConfig config, Database db, Clock clock, Runnable wake) {
    return new OperatorActions(db, new WorkQueue(db, clock),
        new RemovalGuard(db, clock, config.guard()), Objects.requireNonNull(wake));
  }

  /**
   * In a command working while no daemon runs: its answers say that nothing applies what it
   * changed until a daemon starts, since the operator fixing things by hand is about to leave.
   */
  public static OperatorActions withoutDaemon(BridgeConfig config, Database db, Clock clock) {
    return new OperatorActions(db, new WorkQueue(db, clock), new RemovalGuard(db, clock, config.guard()), null);
  }

  private void wake() {
    if (wake != null) {
      wake.run();
    }
  }

  /**
   * The end of an answer whose change waits for the reconciler: {@code soon} in the daemon, unless
   * its reconciler is paused (a refused token), which applies nothing until it resumes.
   */
  private String applied(String soon) {
    if (wake == null) {
      return "; " + NO_DAEMON;
    }
    return new OpsStore(db).pauseReason().map(why -> "; the reconciler is PAUSED (" + why + "), so nothing is applied"
        + " until it resumes (`fulcrum-scim status` says why)").orElse(soon);
  }

  /** Carries out {@code request}; {@code fulcrum} is asked for only by a resync. */
  public OperatorRequest.Answer carryOut(OperatorRequest request, Supplier<Fulcrum> fulcrum, Watch watch) {
    return switch (request.kind()) {
      case RESYNC -> resync(fulcrum.get(), Resyncing.APPLY, request.json(), watch);
      case RESYNC_APPROVING_REMOVALS -> request.approvedOrphanMembers().isPresent()
          ? resyncApprovingRemovals(fulcrum.get(), request.approvedOrphanMembers().getAsInt(), request.json(), watch)
          : failed(ExitCode.FAILED, "resync not run: the command (an older fulcrum-scim) did not say how many orphan member "
              + "removals it approved; run it again with this release's fulcrum-scim (`resync --approve-removals=N`)");
      case RESYNC_DRY_RUN -> resync(fulcrum.get(), Resyncing.DRY_RUN, request.json(), watch);
      case RETRY -> retry(request.key());
      case SKIP -> request.generation().isPresent() ? skip(request.key(), request.generation().getAsLong())
          : failed(ExitCode.FAILED, request.key() + " not skipped: the command (an older fulcrum-scim) did not say which "
              + "generation of the row it saw DEAD; run it again with this release's fulcrum-scim");
      case APPROVE_REMOVALS -> request.approvals().map(this::approveRemovals)
          .orElseGet(() -> failed(ExitCode.FAILED, "nothing approved: the command (an older fulcrum-scim) did not say which "
              + "held removals it saw; run it again with this release's fulcrum-scim"));
      case RELEASE_RESTORED -> releaseRestored(request.key());
    };
  }

  /** How far a resync goes; {@link #resyncApprovingRemovals} goes further. */
  public enum Resyncing {
    DRY_RUN,
    APPLY;

    /** The request that asks for it. */
    public OperatorRequest.Kind kind() {
      return switch (this) {
        case DRY_RUN -> OperatorRequest.Kind.RESYNC_DRY_RUN;
        case APPLY -> OperatorRequest.Kind.RESYNC;
      };
    }
  }

  public OperatorRequest.Answer resync(Fulcrum fulcrum, Resyncing how, boolean json, Watch watch) {
    return resync(fulcrum, how == Resyncing.DRY_RUN, 0, json, watch);
  }

  /**
   * Applies a resync that also removes the orphan members the mass-removal guard would hold, as
   * long as it finds no more than the {@code approvedOrphanMembers} the operator checked in a dry run.
   */
  public OperatorRequest.Answer resyncApprovingRemovals(Fulcrum fulcrum, int approvedOrphanMembers, boolean json, Watch watch) {
    return resync(fulcrum, false, approvedOrphanMembers, json, watch);
  }

  private OperatorRequest.Answer resync(Fulcrum fulcrum, boolean dryRun, int approvedOrphanMembers, boolean json, Watch watch) {
    try {
      // relayed with --json too: the command shows what it waits for on stderr, and leaves the rest out
      Relay relay = new Relay(watch);
      ResyncReport report = dryRun ? fulcrum.resync().dryRun(relay) : fulcrum.resync().apply(fulcrum.path(), relay, approvedOrphanMembers);
      String out = json ? new ReportJson().write(report, true) + System.lineSeparator()
          : dryRun ? ReportText.plan(report) : ReportText.outcome(report);
      return new OperatorRequest.Answer(report.driftRemains() ? ExitCode.FAILED : ExitCode.OK, out, "");
    } catch (FulcrumException e) {
      return failed(ExitCode.FULCRUM, "Fulcrum at " + fulcrum.describedAs() + " " + why(e) + " (" + e.getMessage()
          + "); nothing was changed");
    } catch (Resync.Stopped e) {
      return failed(ExitCode.FAILED, "resync interrupted: " + e.getMessage());
    } catch (Resync.PartlyApplied e) {
      return failed(ExitCode.FULCRUM, "Fulcrum at " + fulcrum.describedAs() + " " + why(e.fulcrum()) + " ("
          + e.fulcrum().getMessage() + ") after " + e.done() + "; that stands. `fulcrum-scim resync --dry-run` shows what is left");
    }
  }

  private static String why(FulcrumException e) {
    return e instanceof FulcrumException.Unauthorized ? "refuses the API token: set fulcrum.api_token to a valid Owner's token"
        : e instanceof FulcrumException.Forbidden ? "refuses this token's user: use an Owner's API token"
        : "cannot be read";
  }

  /** Makes one DEAD row (or, with a null key, every DEAD row) due again with a fresh retry budget. */
  public OperatorRequest.Answer retry(ResourceKey key) {
    if (key == null) {
      int n = queue.revive(null, WorkState.DEAD);
      wake();
      return ok(n == 0 ? "no dead rows" : n + " dead row" + (n == 1 ? " is" : "s are") + " due again" + applied(""));
    }
    if (queue.revive(key, WorkState.DEAD) == 0) {
      return notIn(key, "DEAD", "retry");
    }
    wake();
    return ok(key + " is due again with a fresh retry budget" + applied(""));
  }

  /**
   * Skips {@code key}'s DEAD or HELD row if it is still at {@code seenGeneration}, the one the
   * operator's command read. A user Okta took away lets go of its email with it: a new user waiting
   * for that row runs at once ({@link FreedEmail#rowEnded}). A held removal set aside keeps access
   * as a dead one does, and is answered as loudly.
   */
  public OperatorRequest.Answer skip(ResourceKey key, long seenGeneration) {
    // asked before the skip, which clears the flag: a deprovisioning set aside ends every signal (status, alert)
    Optional<String> keepsAccess = db.write(c -> {
      Optional<WorkItem> seen = queue.get(c, key);
      if (!queue.skip(c, key, seenGeneration)) {
        return null;
      }
      freedEmail.rowEnded(c, key);
      if (key.type() == EntityType.USER) {
        guard.consume(c, key.scimId());
      }
      if (key.type() == EntityType.USER && seen.filter(w -> w.state() == WorkState.HELD).isPresent()) {
        // what a hold holds is told by the user, not the flag (a hold never writes it): an active
        // user's is a role take-back, an inactive or deleted one's a removal (review-s9d F3)
        return Optional.of(desired.user(c, key.scimId()).filter(DesiredUser::active).isPresent()
            ? keepsRole(c, key) : keepsAccess(c, key));
      }
      return seen.filter(WorkItem::removal).isPresent() ? Optional.of(keepsAccess(c, key)) : Optional.<String>empty();
    });
    if (keepsAccess != null) {
      wake();
      return ok(key + " skipped: marked DONE without applying" + keepsAccess.orElse(""));
    }
    return queue.get(key).filter(w -> w.generation() != seenGeneration)
        .map(w -> failed(ExitCode.FAILED, key + " changed after this command read it (generation " + seenGeneration
            + ", now " + w.generation() + ", " + w.state() + "): nothing skipped; `fulcrum-scim journal show " + key
            + "` shows the newer change"))
        .orElseGet(() -> notIn(key, "DEAD or HELD", "skip"));
  }

  /** What an operator who set a held role take-back aside must still do: nothing alerts on it any more. */
  private String keepsRole(Connection c, ResourceKey key) throws SQLException {
    return ". It took a role back, and nothing alerts on it any more: " + person.of(c, key) + " KEEPS THE ROLE the bridge"
        + " gave in Fulcrum until someone changes it by hand, or the next resync apply (the scheduled one, or `fulcrum-scim"
        + " resync`) finds it again";
  }

  /** What an operator who set a deprovisioning aside must still do: nothing alerts on it any more. */
  private String keepsAccess(Connection c, ResourceKey key) throws SQLException {
    String who = person.of(c, key);
    return ". It took access away, and nothing alerts on it any more: " + (key.type() == EntityType.GROUP
        ? "the people Okta took out of " + who + " KEEP IT" : who + " KEEPS ACCESS") + " in Fulcrum until someone removes"
        + " that by hand, or the next resync apply (the scheduled one, or `fulcrum-scim resync`) finds it again";
  }

  /**
   * Approves the removals and role take-backs of {@code seen}, the held ones the operator's command
   * read, if they are still held as read; says how many others are held now, which stay held until
   * approved in turn.
   */
  public OperatorRequest.Answer approveRemovals(List<RemovalGuard.Held> seen) {
    List<RemovalGuard.Held> approved = guard.approveHeld(queue, seen);
    wake();
    Set<String> read = seen.stream().map(RemovalGuard.Held::userId).collect(Collectors.toSet());
    List<String> others = guard.held().stream().map(RemovalGuard.Held::userId).filter(id -> !read.contains(id)).toList();
    Set<String> takeBacks = guard.takeBacks(Stream.concat(read.stream(), others.stream()).toList());
    StringBuilder err = new StringBuilder();
    if (approved.size() < seen.size()) {
      int changed = seen.size() - approved.size();
      err.append(changed).append(" of the ").append(count(read, takeBacks, "held "))
          .append(" this command read changed since (no longer held, held again for another member, or Okta sent a newer change) and ")
          .append(changed == 1 ? "was" : "were").append(" not approved").append(System.lineSeparator());
    }
    if (!others.isEmpty()) {
      err.append(count(others, takeBacks, "more ")).append(others.size() == 1 ? " is" : " are").append(" held that this command ")
          .append("did not approve (held after it looked, or not named): check them with `fulcrum-scim journal list ")
          .append("--state held`, then run `fulcrum-scim approve-removals` again").append(System.lineSeparator());
    }
    List<String> ids = approved.stream().map(RemovalGuard.Held::userId).toList();
    String out = approved.isEmpty() ? "" : "Approved " + count(ids, takeBacks, "held ")
        + ": " + db.read(c -> {
          List<String> named = new ArrayList<>();
          for (String id : ids) {
            named.add(person.withKey(c, ResourceKey.user(id)));
          }
          return String.join(", ", named);
        })
        + applied("; the reconciler applies them in its next cycle") + "." + System.lineSeparator();
    if (approved.isEmpty() && !seen.isEmpty()) {
      err.insert(0, "Nothing approved: ");
    }
    return new OperatorRequest.Answer(approved.isEmpty() && !seen.isEmpty() ? ExitCode.FAILED : ExitCode.OK, out, err.toString());
  }

  /** "2 held removals", "1 more role take-back", "2 held removals and 1 held role take-back". */
  private static String count(Collection<String> userIds, Set<String> takeBacks, String adjective) {
    long roles = userIds.stream().filter(takeBacks::contains).count();
    long removals = userIds.size() - roles;
    String removed = removals + " " + adjective + "removal" + (removals == 1 ? "" : "s");
    String takenBack = roles + " " + adjective + "role take-back" + (roles == 1 ? "" : "s");
    return roles == 0 ? removed : removals == 0 ? takenBack : removed + " and " + takenBack;
  }

  /**
   * Lets the user {@code key} be invited again although the database was restored from a backup;
   * a null key ends the restore's holds for everyone, those no plan has found yet included. Rows
   * the hold made DEAD are due again; other DEAD rows stay for `journal retry`.
   */
  public OperatorRequest.Answer releaseRestored(ResourceKey key) {
    Optional<RestoreMarker.Mark> mark = restore.current();
    if (mark.isEmpty()) {
      return failed(ExitCode.FAILED, "no restore is recorded in this database: nothing is held after a restore");
    }
    if (key == null) {
      restore.clear();
      int revived = (int) RestoreMarker.heldRows(queue).stream().filter(w -> RestoreMarker.reviveHeld(queue, w.key())).count();
      wake();
      return ok("The restore of " + mark.get().at() + " holds no one any more: " + revived + " held user"
          + (revived == 1 ? " is" : "s are") + " due again, and a member found gone later is invited again as usual" + applied("") + ".");
    }
    if (key.type() != EntityType.USER) {
      return failed(ExitCode.FAILED, key + " is not a user: only users are held after a restore");
    }
    if (desired.user(key.scimId()).isEmpty()) {
      return failed(ExitCode.FAILED, "unknown user " + key + ": Okta never sent it, or deleted it (`fulcrum-scim resync "
          + "--dry-run` names the held users)");
    }
    restore.release(key.scimId(), mark.get());
    if (RestoreMarker.reviveHeld(queue, key)) {
      wake();
      return ok(key + " released: it is due again, and its member is invited again" + applied(""));
    }
    return ok(key + " released: not held now; if its member is found gone, it is invited again");
  }

  private OperatorRequest.Answer notIn(ResourceKey key, String states, String verb) {
    return queue.get(key)
        .map(w -> failed(ExitCode.FAILED, key + " is " + w.state() + ", not " + states + ": nothing to " + verb))
        .orElseGet(() -> failed(ExitCode.FAILED, unknown(key)));
  }

  /** Why a key names nothing, as every journal command says it. */
  public static String unknown(ResourceKey key) {
    return "unknown key " + key + ": no work row or journal entry (`fulcrum-scim journal list` shows keys)";
  }

  private static OperatorRequest.Answer ok(String line) {
    return new OperatorRequest.Answer(ExitCode.OK, line + System.lineSeparator(), "");
  }

  private static OperatorRequest.Answer failed(int exitCode, String line) {
    return new OperatorRequest.Answer(exitCode, "", line + System.lineSeparator());
  }

  /** Hands a resync's plan and progress on as the command shows them. */
  private record Relay(Watch watch) implements Progress {
    @Override
    public void planned(ResyncReport plan) {
      watch.planned(ReportText.plan(plan));
    }

    @Override
    public void update(String phase, int done, int total) {
      watch.update(phase, done, total);
    }

    @Override
    public void waiting(String what) {
      watch.waiting(what);
    }

    @Override
    public void finish() {}
  }
}
