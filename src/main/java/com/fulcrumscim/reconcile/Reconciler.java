package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.ClaimLost;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkItem;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconcile of one key: observe desired and actual state, plan, apply, and plan
 * again until the plan is empty (a create's result feeds the next plan). The result is an
 * {@link Outcome} plus the keys the changes affect; this class never touches the work queue.
 * Built by {@link ReconcileWiring}.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /** Create, then what only the created entity allows, then the check that nothing is left. */
  private static final int MAX_ROUNDS = 3;
  /** After Fulcrum refused a write planned on a cached copy: read again, soon. */
  private static final Duration REREAD_DELAY = Duration.ofSeconds(1);
  /**
   * A group member change Fulcrum refused (all or nothing: one named member that has just left the
   * organization refuses the rest) is planned again on lists read anew, this often per reconcile
   * before the refusal stands; each costs the two list reads and the call.
   */
  private static final int MEMBER_CHANGE_REPLANS = 2;
  /**
   * How often a user waiting for a leaving user's row that waits for an operator looks again: the
   * operator's command makes it due at once; this is the fallback.
   */
  static final Duration OPERATOR_WAIT = Duration.ofHours(1);
  /**
   * How long a group whose plan left a leaver to that user's own removal from the organization
   * waits before it looks again by itself. The leaver's outcome wakes it at once, in the transaction
   * that records it (WorkQueue#wakeGroupsWaitingOn), so this is the fallback: for a removal still
   * queued (each look is a plan and a write), and for a group Okta no longer lists the leaver in,
   * which that outcome finds only by the group list at hand when the member was removed (none after
   * a restart), or, for a removal that did not go, by Fulcrum's group list where that read works.
   */
  static final Duration LEAVER_WAIT = Duration.ofSeconds(30);

  private final FulcrumClient client;
  private final ReadSide read;
  private final Observer observer;
  private final Applier applier;
  private final EmailMoves emailMoves;
  private final AuditLog audit;
  private final RemovalGuard guard;
  /** The current cycle's removal checks, which share the guard's count ({@link #beginCycle}). */
  private volatile RemovalGuard.Cycle guardCycle;
  private final Duration memberWait;
  private final DesiredState desired;
  private final Database db;
  private final WorkQueue queue;
  private final boolean groupsPush;
  private final Person who;
  private final GoneHolds goneHolds;
  /** Outcomes that end the row (DONE, SKIPPED): it no longer holds anything for anyone to wait for. */
  private static final Set<Outcome.Kind> ENDS_ROW = Set.of(Outcome.Kind.APPLIED, Outcome.Kind.NO_CHANGE, Outcome.Kind.SKIPPED);
  /**
   * A leaver's outcomes that leave its member in Fulcrum for a while: not a pause or a wait, after
   * which the row comes back by itself.
   */
  private static final Set<Outcome.Kind> KEEPS_MEMBER =
      Set.of(Outcome.Kind.FAILED, Outcome.Kind.TERMINAL, Outcome.Kind.HELD, Outcome.Kind.SKIPPED);
  /** Reads every plan makes: refused (403, 402), nothing can be planned. */
  private static final Set<String> EVERY_PLAN_READS =
      Set.of(FulcrumClient.MEMBERS_LIST, FulcrumClient.ROLES_LIST, FulcrumClient.TOKEN_OWNER);

  /** What an operator does about a token Fulcrum refuses: SIGHUP does not reload fulcrum.*. */
  private static final String NEW_TOKEN = "; put a valid API token of a Fulcrum Owner in fulcrum.api_token (or the file"
      + " fulcrum.api_token_file names) and restart: `systemctl restart fulcrum-scim` (a reload does not read it)";

  /**
   * The pause {@code refused} makes, whether a reconcile or the start-up check met it: a refused
   * token (401), or a read every plan needs refused to the token's user (403, 402), which the
   * probe then repeats, as nothing can be planned and everything waits, spending nothing. Empty for
   * another call refused to the user, which pauses nothing. The reason says what to do.
   */
  public static Optional<Outcome.Paused> pauseFor(FulcrumException refused) {
    if (refused instanceof FulcrumException.Unauthorized) {
      // a refused read says what to do itself; a refused token only said "invalid or revoked" (review-s8c F5)
      return Optional.of(new Outcome.Paused(refused.getMessage() + NEW_TOKEN));
    }
    if (refused instanceof FulcrumException.Forbidden forbidden && EVERY_PLAN_READS.contains(refused.endpoint())) {
      // the token works: its user needs the permission, and once it has it the probe resumes, no restart
      return Optional.of(new Outcome.Paused(refused.getMessage() + "; the token works, but Fulcrum refuses its user this"
          + " read, which every change needs: " + forbidden.whatItNeeds() + " (it resumes by itself, no restart)",
          Optional.of(refused.endpoint())));
    }
    return Optional.empty();
  }

  Reconciler(FulcrumClient client, Database db, RemovalGuard guard, ReconcileSettings settings, Clock clock) {
    this.client = client;
    this.db = db;
    this.queue = new WorkQueue(db, clock);
    this.guard = guard;
    this.guardCycle = guard.cycle();
    this.memberWait = settings.memberWait();
    this.groupsPush = settings.groupsPush();
    this.desired = new DesiredState(db);
    LinkStore links = new LinkStore(db);
    IntentStore intents = new IntentStore(db);
    this.observer = new Observer(client, db, desired, links, intents, settings, clock);
    this.read = new ReadSide(observer, new RestoreHold(db));
    this.audit = new AuditLog(db, clock);
    this.applier = new Applier(client, db, observer, desired, links, intents, audit, guard, clock);
    this.emailMoves = new EmailMoves(observer, links);
    this.who = new Person(db);
    this.goneHolds = new GoneHolds(observer, guard, queue);
  }

  /**
   * Reconciles {@code key}; the caller records the outcome, queues the affected keys and writes
   * what the reconcile left unwritten, in one transaction. {@code claim} runs first in every write
   * of the key's state and throws {@link ClaimLost} once the key's work row is no longer the
   * caller's: the reconcile stops at the first write that finds it (a write held for the outcome
   * that SQLite's writer thread commits later reports it only to the outcome). The key's first
   * member removal is checked with the rest of its cycle's ({@code checks}): the reconcile stops
   * after the DELETE and goes on once {@link RemovalChecks#check} has read Fulcrum for all of them.
   * The answer completes with the result, then.
   */
  CompletableFuture<Reconciled> reconcile(ResourceKey key, Database.Work<?> claim, RemovalChecks checks) {
    Attempt attempt = new Attempt(key, claim);
    Run run = new Run(attempt);
    Optional<Reconciled> result = run.go();
    return result.isPresent() ? CompletableFuture.completedFuture(run.result(result.get()))
        : checks.await(attempt, () -> run.result(run.go().orElseThrow()));
  }

  /**
   * Makes due the held removals whose member is gone from Fulcrum, as the member list read since the
   * last call shows ({@link GoneHolds}); returns how many. Nothing when no list was read since.
   */
  int releaseGoneHolds() {
    return goneHolds.release();
  }

  /** A new cycle's member removals, to be checked together. */
  RemovalChecks removalChecks() {
    return new RemovalChecks(observer);
  }

  /**
   * One reconcile of one key, and where its rounds stand while a member removal waits for its
   * cycle's check, so that {@link #go} goes on from there.
   */
  private final class Run {
    private final Attempt attempt;
    private final long loadsBefore;
    /**
     * Lists read by the time the last plan was made: a list another worker reads while this one
     * calls Fulcrum is not the copy this plan was made on.
     */
    private long loadsAtPlan;
    private final List<Action> applied = new ArrayList<>();
    private final Set<ResourceKey> affected = new LinkedHashSet<>();
    private int replans;
    private int round;
    /** The plan a removal's check stopped, and the actions of it that went through before that removal. */
    private Plan stopped;
    private List<Action> stoppedWent;
    /** The last plan made: whether a change given up on still takes access away. */
    private Plan lastPlan;

    Run(Attempt attempt) {
      this.attempt = attempt;
      this.loadsBefore = observer.loads();
      this.loadsAtPlan = loadsBefore;
    }

    /**
     * The outcome with every key it affects and what the reconcile left unwritten. A leaving user's
     * row that ends lets go of its email whatever this reconcile did ({@link Applier#ended}); the
     * round's own read tells an active user (most rows) from one, so that costs it nothing.
     */
    Reconciled result(Reconciled outcome) {
      boolean leaver = attempt.key.type() == EntityType.USER
          && observer.desiredUser(attempt).filter(DesiredUser::active).isEmpty();
      if (ENDS_ROW.contains(outcome.outcome().kind()) && leaver) {
        // a plan of its own found nothing left: an outcome Skipped sets the row aside unverified
        applier.ended(attempt, outcome.outcome().kind() != Outcome.Kind.SKIPPED);
      }
      Set<ResourceKey> all = new LinkedHashSet<>(outcome.affected());
      all.addAll(attempt.alsoDue());
      if (leaver) {
        all.addAll(groupsKeepingALeaver(outcome.outcome()));
      }
      // read for failures, pauses and rate limits only (few): a removal's log line names the person who keeps access meanwhile
      Outcome o = outcome.outcome();
      String person = o.kind() == Outcome.Kind.FAILED || o.kind() == Outcome.Kind.PAUSED
          || o instanceof Outcome.RetryAfter wait && wait.rateLimited() ? who.of(attempt.key) : null;
      WorkQueue.Wake wake = leaver ? new WorkQueue.Wake(true, attempt.groupsLeft()) : WorkQueue.Wake.NOBODY;
      return new Reconciled(outcome.outcome(), all, attempt.unwritten(), lastPlan, person, wake);
    }

    /**
     * The managed groups that still list this leaver, whose removal did not go (failed, DEAD, HELD, set
     * aside), to take it out themselves now (review-s15a F1). Best effort: a group whose plan left it
     * to that removal looks again by itself ({@link Plan#leftToRemoval}), later; this finds it sooner,
     * and finds one the leaver was put in by hand, which a read refused here leaves to the next
     * attempt or the nightly resync.
     */
    private List<ResourceKey> groupsKeepingALeaver(Outcome outcome) {
      if (!KEEPS_MEMBER.contains(outcome.kind())) {
        return List.of();
      }
      try {
        return observer.groupsStillListing(attempt).stream().map(ResourceKey::group).toList();
      } catch (FulcrumException e) {
        log.warn("could not read Fulcrum's groups to check those still listing {}: {}", attempt.key, e.getMessage());
        return List.of();
      }
    }

    /** Plans and applies until the key is settled; empty while a member removal waits for its cycle's check. */
    Optional<Reconciled> go() {
      ResourceKey key = attempt.key;
      try {
        if (stopped == null && key.type() == EntityType.USER && isOwnersNamesake(attempt)) {
          affected.addAll(groupsOf(key.scimId()));
        }
        for (; round < MAX_ROUNDS; round++) {
          Plan plan = stopped;
          List<Action> went = plan == null ? new ArrayList<>() : stoppedWent;
          stopped = null;
          if (plan == null) {
            if (observer.idle(attempt)) {
              return Optional.of(done(applied, affected));
            }
            plan = read.plan(attempt);
            lastPlan = plan;
            loadsAtPlan = observer.loads();
            Optional<Reconciled> early = settledOrStopped(plan);
            if (early.isPresent()) {
              return early;
            }
          }
          Applier.Applied end;
          try {
            end = applier.apply(attempt, plan, went);
          } catch (FulcrumException e) {
            // What the outcome says of access is what is left of the plan: a group's removals made
            // before its rename was refused are done, not a deprovisioning kept (review-s9d F1).
            lastPlan = plan.after(went.size());
            if (!(e instanceof FulcrumException.Rejected rejected)) {
              throw e;
            }
            // The action that failed is the one after those that went through: only a refused group
            // member change is planned anew, whatever the endpoint it was sent to is called; a refused
            // member change may be an email another managed user is moving away from (EmailMoves).
            Action failed = plan.actions().get(went.size());
            if (failed instanceof Action.UpdateMember change && loadsAtPlan != loadsBefore) {
              // planned on a list read in this reconcile: the address's holder is as Fulcrum has it
              Optional<Outcome> moving = emailMoves.refused(attempt, change, rejected);
              if (moving.isPresent()) {
                return Optional.of(new Reconciled(moving.get(), affected));
              }
            }
            if (failed.kind() != Action.Kind.CHANGE_GROUP_MEMBERS
                || replans++ >= MEMBER_CHANGE_REPLANS) {
              throw e;
            }
            // What went through before the refused change was made: the outcome says so.
            went.stream().filter(a -> a.kind() != Action.Kind.REFUSE).forEach(applied::add);
            // The plan named a member Fulcrum no longer has (removed by hand, or by another writer,
            // after the lists were read): a fresh plan leaves it out and the other changes go now,
            // instead of waiting for an operator while the people Okta took out keep the group.
            log.info("{}: {}; reading Fulcrum again and planning the change anew", key, e.getMessage());
            observer.invalidate();
            attempt.roundApplied();
            round--; // a replan is not a round: the change it makes still needs its check
            continue;
          }
          if (end == Applier.Applied.CHECK_PENDING) {
            stopped = plan;
            stoppedWent = went;
            return Optional.empty();
          }
          attempt.roundApplied();
          went.stream().filter(a -> a.kind() != Action.Kind.REFUSE).forEach(applied::add);
          if (key.type() == EntityType.USER && plan.actions().stream().anyMatch(Reconciler::links)) {
            // A newly managed user: the groups that list it may have skipped or waited for it.
            affected.addAll(groupsOf(key.scimId()));
          }
          if (end == Applier.Applied.REPLAN) {
            // A removal found its member already gone: planned anew on the member list read again.
            round--; // not a round: the Applier stops a plan so once per reconcile
            continue;
          }
          plan.actions().stream().filter(a -> a instanceof Action.HandOver).map(a -> ((Action.HandOver) a).heir())
              .forEach(heir -> {
                // the heir now manages the member: its own plan, and its groups', may have waited for it
                affected.add(ResourceKey.user(heir));
                affected.addAll(groupsOf(heir));
              });
          if (plan.waits()) {
            return Optional.of(new Reconciled(waiting(key, plan), affected));
          }
        }
        return Optional.of(new Reconciled(new Outcome.Failed("Fulcrum does not reflect the changes made to " + key
            + " (still planning " + read.plan(attempt).actions() + " after " + MAX_ROUNDS + " rounds)"), affected));
      } catch (FulcrumException.RateLimited e) {
        return Optional.of(new Reconciled(new Outcome.RetryAfter(e.retryAfter(), e.getMessage(), true), affected));
      } catch (FulcrumException.Unauthorized | FulcrumException.Forbidden e) {
        Optional<Outcome.Paused> paused = pauseFor(e);
        if (paused.isPresent()) {
          return Optional.of(new Reconciled(paused.get(), affected));
        }
        // The token works (a pause would resume at the next probe and pause again every cycle); this
        // call is refused to its user: the role (403) or the plan (402). Retrying cannot change that,
        // and other keys (removals among them) may not need it: the group list, a single entity.
        return Optional.of(new Reconciled(new Outcome.Terminal(e.getMessage() + "; Fulcrum refuses this call to the API"
            + " token's user: give it a role that may make it (an Owner's token) or fix the plan, then"
            + " `fulcrum-scim journal retry --all-dead`"), affected));
      } catch (FulcrumException.Unavailable e) {
        return Optional.of(new Reconciled(new Outcome.Failed(e.getMessage()), affected));
      } catch (FulcrumException.Rejected | FulcrumException.NotFound e) {
        if (loadsAtPlan == loadsBefore) {
          // Planned on a copy read before this reconcile: Fulcrum may have changed under it.
          observer.invalidate();
          return Optional.of(new Reconciled(new Outcome.RetryAfter(REREAD_DELAY, e.getMessage() + "; reading Fulcrum again"),
              affected));
        }
        return Optional.of(new Reconciled(new Outcome.Terminal(e.getMessage()), affected));
      } catch (ClaimLost e) {
        return Optional.of(new Reconciled(new Outcome.Failed(e.getMessage()), affected));
      } catch (OwnerMembershipRefused e) {
        log.error("{}", e.getMessage());
        return Optional.of(new Reconciled(new Outcome.Terminal(e.getMessage()), affected));
      } catch (RuntimeException | Error e) {
        // An Error too (a stack overflow on one key's data, a linkage error, an allocation too big):
        // as a failure the row backs off and ends DEAD with the reason after its budget, and what the
        // reconcile made in Fulcrum is still recorded. Thrown on, the row stayed claimed and every
        // later change to the key waited behind it until a restart.
        log.error("reconcile of {} failed unexpectedly", key, e);
        return Optional.of(new Reconciled(new Outcome.Failed(key + ": " + e), affected));
      }
    }

    /**
     * What the row ends DEAD saying: a member in the way that the bridge made for this very user is
     * its orphan, which resync removes. Asked here, once the plan ends the row, not in each plan (a
     * resync or a dry run plans every such user): the audit has no index for the question. A member
     * other than the one the row's change stopped on before ({@link WorkItem#heldMember}) is not
     * called the leaver's access: that one was removed by hand since, and this one may be whoever
     * was given the address, invited by hand (review-s8g F1). The row still counts as a deprovisioning
     * kept (its removal flag, DEPROVISIONING DEAD, the critical alert): this one may as well be the
     * leaver's person invited by hand once more, which only the operator can tell, and a flag cleared
     * on a guess would end every signal of a person keeping access.
     */
    private String deadReason(Plan.Blocked blocked) {
      Plan.IfMadeForIt own = blocked.ifMadeForIt();
      if (own != null && audit.made(attempt.key, own.memberId())) {
        return own.reason();
      }
      String kept = blocked.keptBy();
      Optional<String> before = kept == null ? Optional.empty()
          : queue.get(attempt.key).map(WorkItem::heldMember).filter(m -> !m.equals(kept));
      return before.map(m -> anotherMember(m, kept)).orElse(blocked.reason());
    }

    /** Why the change, which stopped on Fulcrum member {@code before}, leaves {@code now} alone. */
    private String anotherMember(String before, String now) {
      ResourceKey key = attempt.key;
      return who.of(key) + ": Okta took this user away, and its change stopped on Fulcrum member " + before
          + ", through which the person kept access; that member is no longer under the address, but Fulcrum member "
          + now + ", not managed by the bridge, is: it may be another person's own account (the address given to someone"
          + " since and invited by hand), so the bridge leaves it untouched and does not take it for this user's. If " + now
          + " is this user's person, remove it in Fulcrum, then `fulcrum-scim journal retry " + key + "`; if it is not, "
          + before + " is gone and nobody keeps this user's access through it: `fulcrum-scim journal skip " + key + "`"
          + " sets this change aside, and a user given the address goes on";
    }

    /**
     * The guard's reason led by the person, as a DEAD reason is: status, `journal list` and the
     * ERROR line then tell who is held, which an operator needs to judge a storm real or a mistake.
     */
    private String heldPerson(String why) {
      return who.of(attempt.key) + ": " + why;
    }

    /** The outcome when {@code plan} is not to be applied (settled, blocked, skipped, waiting, held); else empty. */
    private Optional<Reconciled> settledOrStopped(Plan plan) {
      if (plan.isBlocked()) {
        return Optional.of(new Reconciled(new Outcome.Terminal(deadReason(plan.blocked()), plan.blocked().keptBy()),
            affected));
      }
      Optional<String> skip = plan.actions().stream()
          .filter(a -> a.kind() == Action.Kind.SKIP).map(a -> ((Action.Skip) a).reason()).findFirst();
      if (skip.isPresent()) {
        return Optional.of(new Reconciled(new Outcome.Skipped(skip.get()), affected));
      }
      Optional<Duration> landing = observer.createMayStillLand(attempt, plan);
      if (landing.isPresent()) {
        return Optional.of(new Reconciled(new Outcome.RetryAfter(landing.get(), "a create in doubt shows nothing in Fulcrum"
            + " yet; it may still land, so it is looked for again before it is forgotten"), affected));
      }
      if (plan.settled()) {
        if (attempt.key.type() == EntityType.USER) {
          observer.groupsStillListing(attempt).forEach(id -> affected.add(ResourceKey.group(id)));
        }
        return Optional.of(settled(plan, applied, affected));
      }
      Optional<String> removed = plan.removedMember();
      if (removed.isPresent()) {
        Optional<String> held = guardCycle.holds(attempt.key.scimId(), removed.get(), observer.removingAMember());
        if (held.isPresent()) {
          // named for the operator: an approval covers this member's removal alone
          String why = heldPerson(held.get()) + "; the change removes Fulcrum member " + removed.get();
          return Optional.of(new Reconciled(new Outcome.Held("REMOVAL", why, removed.get()), affected));
        }
      }
      Optional<Action.UpdateMember> takeBack = plan.roleTakeBack();
      if (takeBack.isPresent()) {
        // a name change in the same plan waits with it: the key has one work row, and it is HELD
        String member = takeBack.get().memberId();
        Optional<String> held = guard.holdsTakeBack(attempt.key.scimId(), member, takeBack.get().changes().roleId());
        if (held.isPresent()) {
          return Optional.of(new Reconciled(new Outcome.Held("ROLE TAKE-BACK", heldPerson(held.get()), member), affected));
        }
      }
      return Optional.empty();
    }
  }

  /**
   * What a reconcile whose claim passed on still writes: the audit rows of the Fulcrum calls it
   * made (they happened), nothing of the key's state.
   */
  CompletableFuture<Void> writeAudits(Reconciled result) {
    return db.writeLater(result.unwritten().audits());
  }

  /**
   * How long {@code key} waits and why: a group for users still being pushed, or for the removals of
   * members it left to them (the group's own row, kept in the database, is what looks again: whatever
   * that removal's end, a restart or Fulcrum unreachable meanwhile); a user for the leaving
   * user holding the member with its email, which hands it over or removes it and then makes this key
   * due. While that user's row waits for an operator (dead, held, set aside), so does this one: its
   * reason names that row and the command, and it looks again only every {@link #OPERATOR_WAIT}, as
   * the command makes it due at once.
   */
  private Outcome.RetryAfter waiting(ResourceKey key, Plan plan) {
    String users = String.join(", ", plan.waitingFor());
    if (key.type() != EntityType.USER) {
      List<String> why = new ArrayList<>();
      if (!users.isEmpty()) {
        why.add("waiting for members not yet in Fulcrum: SCIM users " + users);
      }
      if (!plan.leftToRemoval().isEmpty()) {
        why.add("waiting for the removal from the organization of Fulcrum members " + String.join(", ", plan.leftToRemoval())
            + ", whose users Okta took away; it takes them out of every group, and should it not go, this group does");
      }
      // a user being pushed that fails wakes nothing: the group goes on without it at its next look
      return new Outcome.RetryAfter(users.isEmpty() ? LEAVER_WAIT : memberWait, String.join("; ", why));
    }
    ResourceKey leaver = ResourceKey.user(users);
    String waits = "waiting for " + leaver + ", which Okta deactivated or deleted, to hand over or remove Fulcrum"
        + " member " + plan.waitedMember() + ", the one with this user's email";
    Optional<WorkItem> row = queue.get(leaver);
    // the member the leaver's change stopped on (held, DEAD or set aside), when its row recorded one
    String stoppedOn = row.map(WorkItem::heldMember).orElse(null);
    return switch (row.map(WorkItem::state).orElse(WorkState.DONE)) {
      case PENDING, RUNNING, RETRYING -> new Outcome.RetryAfter(memberWait, waits);
      case DEAD -> new Outcome.RetryAfter(OPERATOR_WAIT, waits + "; " + leaver + " is DEAD" + deadLeaver(leaver,
          plan.waitedMember(), stoppedOn));
      case HELD -> new Outcome.RetryAfter(OPERATOR_WAIT, waits + "; its removal is HELD by the mass-removal guard"
          + heldLeaver(leaver, plan.waitedMember(), stoppedOn));
      // resync runs a set-aside change again only for a member the bridge manages (review-s8e F2)
      // a leaver set aside on another member than the one found holds nobody up (Observer#leaverHolding)
      case DONE, SKIPPED -> new Outcome.RetryAfter(OPERATOR_WAIT, waits + "; an operator set its change aside without"
          + " removing the member" + (stoppedOn != null ? ", through which the leaver's person keeps access: remove it"
          + " in Fulcrum by hand and this user gets its own at its next look, within the hour"
          : " (`fulcrum-scim journal show " + leaver + "` names the member its change found): if that is "
          + plan.waitedMember() + ", the leaver's account, remove it in Fulcrum by hand and this user gets its own at its"
          + " next look, within the hour; if not, " + plan.waitedMember() + " may be this user's own (invited by hand"
          + " after the leaver's was removed): ask before removing anything") + ". A member the bridge manages for the"
          + " leaver, the next resync apply (the scheduled one, or `fulcrum-scim resync`) removes");
    };
  }

  /**
   * What a user waiting for {@code leaver}'s DEAD row on Fulcrum member {@code waited} is told, as
   * that row recorded the member its change stopped on ({@code stoppedOn}; null: none, or not known).
   * Another member than that one may be the waiting user's own, which the leaver's change does not
   * act on unless an operator names it (review-s8g F1).
   */
  private static String deadLeaver(ResourceKey leaver, String waited, String stoppedOn) {
    if (stoppedOn == null) {
      return " (`fulcrum-scim journal show " + leaver + "` says why and which member it found then): if that is " + waited
          + ", `fulcrum-scim journal retry " + leaver + "` runs it again, and this user is made due once it lets go of the"
          + " member; if not, " + waited + " may be this user's own (invited by hand after the leaver's was removed): do"
          + " not retry, ask before removing anything";
    }
    if (stoppedOn.equals(waited)) {
      return ", its person keeping access through " + waited + " (`fulcrum-scim journal show " + leaver + "` says why):"
          + " remove it in Fulcrum by hand (or settle what stopped the change), then `fulcrum-scim journal retry " + leaver
          + "`; this user is made due once the leaver lets go of the member";
    }
    return " on Fulcrum member " + stoppedOn + ", not on " + waited + ", which may be this user's own (invited by hand"
        + " after the leaver's was removed): if it is, `fulcrum-scim journal skip " + leaver + "` sets the leaver's change"
        + " aside and this user goes on; if it is the leaver's person's, remove it in Fulcrum by hand, then `fulcrum-scim"
        + " journal retry " + leaver + "`";
  }

  /**
   * What a user waiting for {@code leaver}'s HELD row on Fulcrum member {@code waited} is told, as
   * that row is bound to the member it was first held on ({@code stoppedOn}; null: none recorded).
   * Bound to another one, it is held again on {@code waited}, which may be the waiting user's own:
   * only the operator can tell, and either way out names the leaver (review-s9c F1).
   */
  private static String heldLeaver(ResourceKey leaver, String waited, String stoppedOn) {
    if (stoppedOn == null || stoppedOn.equals(waited)) {
      return ": `fulcrum-scim approve-removals` lets it go, and this user is made due once the member is removed. An"
          + " approval covers only the member the hold named (`fulcrum-scim journal show " + leaver + "`): if that is"
          + " not " + waited + ", the leaver's change is held again rather than remove it";
    }
    return ", held again: its change stopped first on Fulcrum member " + stoppedOn + ", not on " + waited + ", which may"
        + " be this user's own (invited by hand after the leaver's was removed): if it is, `fulcrum-scim journal skip " + leaver
        + "` sets the leaver's change aside and this user goes on; if it is the leaver's person's, `fulcrum-scim"
        + " approve-removals " + leaver + "` approves its removal, and this user is made due once it is removed";
  }

  private static Reconciled done(List<Action> applied, Set<ResourceKey> affected) {
    return new Reconciled(applied.isEmpty() ? new Outcome.NoChange() : new Outcome.Applied(applied), affected);
  }

  private static boolean links(Action a) {
    return a.kind() == Action.Kind.LINK || a.kind() == Action.Kind.CREATE_MEMBER;
  }

  /**
   * Nothing left to change. A refused part (an unknown role) makes the key dead with its reason
   * even when the rest went through, so the mapping gets fixed instead of silently ignored.
   */
  private static Reconciled settled(Plan plan, List<Action> applied, Set<ResourceKey> affected) {
    Optional<String> refused = plan.refusals();
    if (refused.isPresent()) {
      return new Reconciled(new Outcome.Terminal(refused.get()
          + (applied.isEmpty() ? "" : " (the rest of the change was applied)")), affected);
    }
    return done(applied, affected);
  }

  /**
   * A SCIM user with the token owner's email is never linked, so no link or removal moves the
   * owner in or out of the groups that list it; yet the group plans keep the owner only while that
   * user is active. Each change to that user re-queues its groups instead. The owner is compared
   * only once known (no call for it): a group plan that added the owner learned it first, and
   * after a restart the nightly resync re-plans every group.
   */
  private boolean isOwnersNamesake(Attempt attempt) {
    Optional<DesiredUser> d = observer.desiredUser(attempt);
    return d.isPresent() && d.get().email() != null && observer.knownOwner()
        .filter(o -> d.get().email().equalsIgnoreCase(o.email())).isPresent();
  }

  private List<ResourceKey> groupsOf(String userScimId) {
    if (!groupsPush) {
      return List.of();
    }
    return db.read(c -> desired.groupsOf(c, userScimId)).stream().map(ResourceKey::group).toList();
  }

  /**
   * Lists read before now are in doubt for the plans of the cycle that begins, and its removal
   * checks share a count of their own: one count per cycle of a storm the guard holds, not one per
   * removal, and none kept from a cycle before.
   */
  void beginCycle() {
    observer.beginCycle();
    guardCycle = guard.cycle();
  }

  /** The observe-and-plan half over this reconciler's own cached lists (resync, dry runs). */
  public ReadSide readSide() {
    return read;
  }

  /** The client's circuit breaker is open: a cycle now would only fail. */
  public boolean circuitOpen() {
    return client.circuitOpen();
  }

  /**
   * How Fulcrum still refuses the token, or {@code refusedRead} if a refused read paused the
   * reconciler (asked once per cycle while paused); empty once it accepts them again.
   */
  public Optional<FulcrumException> probe(Optional<String> refusedRead) {
    String read = refusedRead.orElse("");
    try {
      // the pause is over once the read Fulcrum refused works (a revoked token fails it too); of the
      // member list one page, as every page at each cycle of a pause was a cost of the list's size
      if (FulcrumClient.MEMBERS_LIST.equals(read)) {
        client.readFirstMemberPage();
      } else if (FulcrumClient.ROLES_LIST.equals(read)) {
        client.roles();
      } else {
        client.tokenOwner();
      }
      return Optional.empty();
    } catch (FulcrumException e) {
      return Optional.of(e);
    }
  }
}
