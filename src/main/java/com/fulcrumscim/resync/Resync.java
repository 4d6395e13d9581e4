package com.fulcrumscim.resync;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.reconcile.ReconcileSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manual and scheduled resync: read Fulcrum once, find where it drifted from what Okta wants for
 * the entities the bridge manages, and (unless a dry run) hand the drifting keys to the reconciler
 * through the work queue, the one write path, then read Fulcrum again to report what is left.
 *
 * <pre>{@code
 * Resync resync = new Resync(client, db, ReconcileSettings.from(config), clock, Sleeper.REAL);
 * ResyncReport plan = resync.dryRun();
 * ResyncReport done = resync.apply(ReconcileWiring.configured(config, client, db, clock, lease.fence(), kind -> {}), Progress.NONE, 0);
 * }</pre>
 */
public final class Resync {
  private static final Logger log = LoggerFactory.getLogger(Resync.class);
  /** How long an apply waits for its keys to settle before it reports what is left. */
  static final Duration MAX_WAIT = Duration.ofMinutes(2);
  /** How often it looks again while nothing is due (a key the daemon is running, a short retry). */
  static final Duration POLL = Duration.ofMillis(200);
  private static final Set<WorkState> OPEN = EnumSet.of(WorkState.PENDING, WorkState.RUNNING, WorkState.RETRYING);

  /**
   * Setting: how many orphan member removals the mass-removal guard held at the latest apply that
   * got that far, scheduled or an operator's (0: none). Those people keep access until someone
   * approves, so status and a gauge show it until an apply removes them or finds them gone.
   */
  public static final String HELD_ORPHANS = "resync.held_orphan_removals";

  /**
   * Setting: how many people Okta deactivated or deleted still had access in Fulcrum, left to an
   * operator ({@link Drift#keepsAccess}), as the latest apply, scheduled or an operator's, found
   * (0: none). status needs attention and a gauge shows it until an apply finds them gone.
   */
  public static final String KEEPS_ACCESS = "resync.keeps_access";

  /**
   * Setting: when the apply that wrote {@link #KEEPS_ACCESS} finished. A dry run leaves both: status
   * says which apply its count comes from, as a dry run since may find the people gone.
   */
  public static final String KEEPS_ACCESS_AT = "resync.keeps_access_at";

  private final FulcrumClient client;
  private final DriftFinder finder;
  private final OrphanRemover orphans;
  private final Clock clock;
  private final Sleeper sleeper;
  private final SettingStore settingStore;
  /**
   * One resync at a time in this process, whatever starts it (the schedule, an operator's request):
   * two at once read Fulcrum twice against the shared budget and both deleted the same orphan (a
   * 404 counts as gone), leaving two REMOVE_MEMBER rows the mass-removal guard counted as two.
   * Fair, so runs go in the order they asked.
   */
  private final ReentrantLock oneRun = new ReentrantLock(true);
  /**
   * Bumped by {@link #stopRuns}: a run begun under an older value ends at its next check (between
   * phases, each settle cycle, each orphan), waiting runs too. Settling alone may take twice
   * {@link #MAX_WAIT}, and once the writer lease is gone its writes are fenced and its keys only retry.
   */
  private final AtomicLong stops = new AtomicLong();
  /** After {@link #close}: every run, also one asked for later, ends at once. */
  private volatile boolean closed;
  /** What a stopped run tells the operator, with what it had done by then: the daemon's words unless {@link #commandLostTheLease}. */
  private volatile String stoppedBy = "the daemon stopped this resync %s; run it again once the daemon is back";
  /**
   * Between {@link #stopRuns} and {@link #resumeRuns}: this node does not write to Fulcrum, so a
   * run asked for meanwhile (an operator's request claimed as the node stepped down, the schedule
   * firing) ends at once instead of claiming work rows whose writes are fenced.
   */
  private volatile boolean standingBy;
  /** The {@link #stops} value the run holding the turn began under. */
  private long runningSince;
  /** When the run holding the turn took it, for a run that waits to say what it waits for. */
  private volatile Instant runStartedAt;

  public Resync(FulcrumClient client, Database db, ReconcileSettings settings, Clock clock, Sleeper sleeper) {
    this.client = client;
    this.finder = new DriftFinder(db, settings, clock);
    this.orphans = new OrphanRemover(client, db, settings, clock);
    this.clock = clock;
    this.sleeper = sleeper;
    this.settingStore = new SettingStore(db);
  }

  /** What {@link #HELD_ORPHANS} says: orphan member removals held at the latest apply. */
  public static long heldOrphanRemovals(SettingStore settings) {
    return settings.get(HELD_ORPHANS).map(Long::parseLong).orElse(0L);
  }

  /** What {@link #KEEPS_ACCESS} says: people who keep access Okta took away, at the latest apply. */
  public static long keepingAccess(SettingStore settings) {
    return settings.get(KEEPS_ACCESS).map(Long::parseLong).orElse(0L);
  }

  /** When the apply {@link #keepingAccess(SettingStore)} counts from finished; empty before any (or before this release). */
  public static Optional<Instant> keepingAccessAt(SettingStore settings) {
    return settings.get(KEEPS_ACCESS_AT).map(Instant::parse);
  }

  /** Reads and compares; changes nothing anywhere (four read calls to Fulcrum). */
  public ResyncReport dryRun(Progress progress) {
    oneRunAtATime(stops.get(), progress);
    try {
      Instant started = clock.instant();
      List<KeyDrift> found = finder.find(FulcrumSnapshot.read(client));
      return report(started, false, found, found, null);
    } finally {
      oneRun.unlock();
    }
  }

  /**
   * Waits for a resync already running here (the nightly one, an operator's), saying so to
   * {@code progress}, then holds the turn; a stop meanwhile ends the wait with {@link Stopped}.
   */
  private void oneRunAtATime(long since, Progress progress) {
    if (!oneRun.tryLock()) {
      String running = "the resync already running since " + runStartedAt.truncatedTo(ChronoUnit.SECONDS)
          + " (the scheduled one, or another command's)";
      log.info("resync: waiting for {} to finish", running);
      progress.waiting(running);
      try {
        while (!oneRun.tryLock(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
          if (stopped(since)) {
            throw stop("before it began");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw stop("before it began");
      }
    }
    runningSince = since;
    runStartedAt = clock.instant();
    if (stopped(since)) {
      oneRun.unlock();
      throw stop("before it began");
    }
  }

  private boolean stopped(long since) {
    return closed || standingBy || stops.get() != since;
  }

  /**
   * Ends the runs in progress or waiting, promptly (at their next check), each with {@link Stopped}:
   * this node stopped writing (lost the writer lease). Runs asked for afterwards end at once too,
   * until {@link #resumeRuns}.
   */
  public void stopRuns() {
    standingBy = true;
    stops.incrementAndGet();
  }

  /** This node writes to Fulcrum again (took the writer lease): runs go ahead. */
  public void resumeRuns() {
    standingBy = false;
  }

  /**
   * As {@link #stopRuns}, in an operator command working without a daemon whose writer lease is gone
   * (it stalled past the lease's life, and a daemon may have taken over): its claims and writes are
   * refused from now on, so settling would only wait out the rows it still held.
   */
  public void commandLostTheLease() {
    stoppedBy = "this command lost the Fulcrum writer lease (it was paused or stalled past ha.lease_ttl, and a daemon "
        + "may have taken over), so it stopped this resync %s; run it again";
    stopRuns();
  }

  /** As {@link #stopRuns}, for good: the daemon is stopping, so a run asked for later ends at once too. */
  public void close() {
    closed = true;
    stopRuns();
  }

  /**
   * A stop ended the run ({@link #stopRuns}, {@link #close}). What it had done stands: fixes it
   * queued stay in the work queue for the reconciler, nothing is left claimed.
   */
  public static final class Stopped extends RuntimeException {
    Stopped(String why) {
      super(why);
    }
  }

  private Stopped stop(String done) {
    return new Stopped(String.format(stoppedBy, done));
  }

  /**
   * Finds the drift, lets the reconciler fix it (users first: a group's adds need its members),
   * then checks again. A key being reconciled at that moment is queued again all the same (it runs
   * once more after the current run, never twice at once) and waited for like the others.
   * Orphan members are removed only within the mass-removal guard, counted as one batch with the
   * removals made and pending, unless the operator approved them for this run: no work row carries
   * them, so {@code approve-removals} cannot reach them. {@code approvedOrphanMembers} is how many
   * the operator approved after checking a dry run's plan (0: none): when this run finds more (the
   * plan changed since), it removes none of them.
   */
  public ResyncReport apply(ReconcileWiring path, Progress progress, int approvedOrphanMembers) {
    oneRunAtATime(stops.get(), progress);
    try {
      return applyAlone(path, progress, approvedOrphanMembers);
    } finally {
      oneRun.unlock();
    }
  }

  private ResyncReport applyAlone(ReconcileWiring path, Progress progress, int approvedOrphanMembers) {
    Instant started = clock.instant();
    // the basis, not the snapshot, is kept for the check after the fixes: the first snapshot, held
    // while the second was read and planned on, doubled the heap of an apply's check (100k members)
    FulcrumSnapshot.Basis basis = FulcrumSnapshot.Basis.read(client);
    List<KeyDrift> found = finder.find(basis.snapshot(client));
    Done done = new Done();
    try {
      return applyFound(path, progress, approvedOrphanMembers, started, basis, found, done);
    } catch (FulcrumException e) {
      if (done.nothing()) {
        throw e;
      }
      throw new PartlyApplied(e, done.toString());
    }
  }

  private ResyncReport applyFound(ReconcileWiring path, Progress progress, int approvedOrphanMembers, Instant started,
      FulcrumSnapshot.Basis basis, List<KeyDrift> found, Done done) {
    progress.planned(report(started, false, found, found, null));
    String stopped = null;
    List<ResourceKey> queued = new ArrayList<>();
    Set<String> goneById = new HashSet<>();
    for (EntityType type : List.of(EntityType.USER, EntityType.GROUP)) {
      List<KeyDrift> fixes = found.stream().filter(k -> k.fixable() && k.orphan() == null && k.key().type() == type).toList();
      List<ResourceKey> keys = fixes.stream().map(KeyDrift::key).toList();
      queued.addAll(keys);
      if (!keys.isEmpty()) {
        stopIfAsked(done);
        path.readSide().forget();
        fixes.forEach(k -> path.queue().nudge(k.key(), k.removal()));
        done.queued += keys.size();
        stopped = settle(path, keys, type.name().toLowerCase(Locale.ROOT) + "s", progress, done);
        if (stopped != null) {
          break;
        }
      }
    }
    String held = null;
    if (stopped == null) {
      List<Orphan> doomed = found.stream().filter(k -> k.fixable() && k.orphan() != null).map(KeyDrift::orphan).toList();
      held = approvedOrphanMembers == 0 ? heldMembers(path, doomed) : beyondApproval(doomed, approvedOrphanMembers);
      if (held != null) {
        settingStore.put(HELD_ORPHANS, Long.toString(doomed.stream().filter(o -> o.type() == Orphan.Type.MEMBER).count()));
        doomed = doomed.stream().filter(o -> o.type() != Orphan.Type.MEMBER).toList();
      }
      for (int i = 0; i < doomed.size(); i++) {
        stopIfAsked(done);
        Orphan orphan = doomed.get(i);
        OrphanRemover.Result removed = orphans.remove(orphan);
        if (removed == OrphanRemover.Result.DELETED) {
          done.removed++;
        }
        if (removed.goneById()) {
          goneById.add(orphan.fulcrumId());
          settleDeadDeprovisioning(path, orphan);
        }
        progress.update("orphans", i + 1, doomed.size());
      }
      if (held == null) {
        // only once they are gone: a run stopped or failing midway leaves the count of the last one
        settingStore.put(HELD_ORPHANS, "0");
      }
    }
    progress.finish();
    stopIfAsked(done);
    List<KeyDrift> after = stopped == null ? finder.find(basis.snapshot(client)) : found;
    if (stopped == null) {
      StillDrifting.say(queued, goneById, after, path.queue());
    }
    ResyncReport report = report(started, true, found, after, stopped != null ? stopped : held);
    keepingAccess(report);
    return report;
  }

  /**
   * The deprovisioning of the user an orphan member was made for went DEAD on that very member (its
   * link lost, the bridge's own member looked like one it does not manage and keeps access): with
   * the member gone, its row runs again and settles from state (nothing left to remove: DONE; the
   * orphan's removal is its audit row), instead of staying DEAD until `journal retry`. Only a row
   * whose cause may be gone runs again, once: a removed orphan is not found the next night.
   */
  private static void settleDeadDeprovisioning(ReconcileWiring path, Orphan orphan) {
    if (orphan.type() == Orphan.Type.MEMBER && path.queue().revive(orphan.createdFor(), WorkState.DEAD) > 0) {
      log.info("resync: {} was DEAD on orphan member {} ({}), which is gone now; it runs again", orphan.createdFor(),
          orphan.label(), orphan.fulcrumId());
    }
  }

  /**
   * Loud on purpose, one ERROR line a person: nothing else would say that someone Okta took away
   * still has access (the bridge never removes a member it does not manage, nor the token owner).
   * Their count stands for status and the gauge until the next apply.
   */
  private void keepingAccess(ResyncReport report) {
    report.remaining().stream().filter(Drift::keepsAccess)
        .forEach(d -> log.error("resync: {} keeps access: {}", d.entity(), d.action()));
    settingStore.write(Map.of(KEEPS_ACCESS, Optional.of(Integer.toString(report.totals().keepsAccess())),
        KEEPS_ACCESS_AT, Optional.of(clock.instant().toString())));
  }

  private void stopIfAsked(Done done) {
    if (stopped(runningSince)) {
      log.info("resync: stopped before it finished ({})", done);
      throw stop("before it finished (" + done + ")");
    }
  }

  /** What an apply has changed so far, in case Fulcrum fails or a stop comes before it can read the result. */
  private static final class Done {
    int queued;
    int removed;

    boolean nothing() {
      return queued == 0 && removed == 0;
    }

    @Override
    public String toString() {
      return "it had queued " + queued + " fix" + (queued == 1 ? "" : "es") + " for the reconciler (applied, or "
          + "pending in the work queue) and removed " + removed + " orphan" + (removed == 1 ? "" : "s");
    }
  }

  /**
   * Fulcrum failed (a read timed out, the shared call budget ran out) after the apply had begun to
   * change things: what it had done stands, so "nothing was changed" would be wrong.
   * {@link #done()} says what, for the operator's answer and the scheduled run's record.
   */
  public static final class PartlyApplied extends RuntimeException {
    private final transient FulcrumException fulcrum;
    private final String done;

    PartlyApplied(FulcrumException cause, String done) {
      super(cause.getMessage() + " (after " + done + ")", cause);
      this.fulcrum = cause;
      this.done = done;
    }

    /** What Fulcrum answered. */
    public FulcrumException fulcrum() {
      return fulcrum;
    }

    /** What the apply had done before, in words. */
    public String done() {
      return done;
    }
  }

  /** Why the orphan members among {@code doomed} must stay (the guard holds them), else null. */
  private static String heldMembers(ReconcileWiring path, List<Orphan> doomed) {
    long members = doomed.stream().filter(o -> o.type() == Orphan.Type.MEMBER).count();
    if (members == 0) {
      return null;
    }
    String held = path.guard().holdsMore((int) members).map(why -> members + " orphan member removal"
        + (members == 1 ? "" : "s") + " held by the mass-removal guard: " + why + ". Check them with "
        + "`fulcrum-scim resync --dry-run`; `fulcrum-scim resync --approve-removals=" + members + "` removes them").orElse(null);
    if (held != null) {
      log.error("resync: {}", held);
    }
    return held;
  }

  /**
   * Why the orphan members among {@code doomed} must stay although the operator approved removing
   * {@code approved}: this run found more than that, so the plan they checked is not this one.
   */
  private static String beyondApproval(List<Orphan> doomed, int approved) {
    long members = doomed.stream().filter(o -> o.type() == Orphan.Type.MEMBER).count();
    if (members <= approved) {
      return null;
    }
    String held = members + " orphan member removals found, more than the " + approved + " approved (--approve-removals="
        + approved + "): none removed. Check them with `fulcrum-scim resync --dry-run`, then approve that many";
    log.error("resync: {}", held);
    return held;
  }

  /**
   * Runs reconcile cycles until none of {@code keys} is pending, running or retrying soon.
   * Returns why it stopped early (the reconciler paused, the breaker open), else null.
   */
  private String settle(ReconcileWiring path, List<ResourceKey> keys, String phase, Progress progress, Done done) {
    Instant deadline = clock.instant().plus(MAX_WAIT);
    while (true) {
      stopIfAsked(done);
      ReconcileLoop.Cycle cycle = path.loop().runOnce();
      if (cycle.skipped() != null) {
        return cycle.skipped();
      }
      List<WorkItem> open = keys.stream().map(k -> path.queue().get(k)).flatMap(Optional::stream)
          .filter(w -> OPEN.contains(w.state())).toList();
      progress.update(phase, keys.size() - open.size(), keys.size());
      Instant now = clock.instant();
      if (open.isEmpty() || !now.isBefore(deadline)) {
        return null;
      }
      if (cycle.claimed() == 0) {
        Instant next = open.stream()
            .map(w -> w.state() == WorkState.RUNNING ? now.plus(POLL) : w.nextAttemptAt())
            .min(Comparator.naturalOrder()).orElseThrow();
        if (next.isAfter(deadline)) {
          return null; // retrying later: the check below reports them, the daemon carries on
        }
        Duration wait = Duration.between(now, next);
        try {
          // in slices: a retry may be minutes away, and a stop must not wait for it
          for (Duration left = wait.compareTo(POLL) < 0 ? POLL : wait; !left.isNegative() && !left.isZero(); left = left.minus(POLL)) {
            stopIfAsked(done);
            sleeper.sleep(left.compareTo(POLL) < 0 ? left : POLL);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted";
        }
      }
    }
  }

  private ResyncReport report(Instant started, boolean applied, List<KeyDrift> found, List<KeyDrift> after,
      String stopped) {
    List<Drift> plan = found.stream().flatMap(k -> k.rows().stream()).toList();
    List<Drift> remaining = after.stream().flatMap(k -> k.rows().stream()).toList();
    Set<String> stillDrifting = new java.util.HashSet<>();
    after.stream().filter(k -> !k.rows().isEmpty()).forEach(k -> stillDrifting.add(k.identity()));
    int drifting = (int) found.stream().filter(k -> !k.rows().isEmpty()).count();
    int fixed = applied ? (int) found.stream().filter(k -> !k.rows().isEmpty() && !stillDrifting.contains(k.identity())).count() : 0;
    ResyncReport.Totals totals = new ResyncReport.Totals((int) found.stream().filter(KeyDrift::managed).count(), drifting,
        (int) found.stream().filter(KeyDrift::fixable).count(),
        count(found, Drift.Kind.BLOCKED), count(found, Drift.Kind.COLLISION), fixed, stillDrifting.size(),
        (int) after.stream().filter(k -> k.rows().stream().anyMatch(Drift::keepsAccess)).count(),
        (int) found.stream().filter(KeyDrift::heldRemoval).count());
    return new ResyncReport(started, clock.instant(), applied, plan, remaining, stopped, totals);
  }

  private static int count(List<KeyDrift> keys, Drift.Kind kind) {
    return (int) keys.stream().filter(k -> k.rows().stream().anyMatch(r -> r.kind() == kind)).count();
  }
}
