package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconcile of one key: observe desired and actual state, plan, apply, and plan
 * again until the plan is empty (a create's result feeds the next plan). The result is an
 * {@link Outcome}; this class never touches the work queue.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /** Create, then what only the created entity allows, then the check that nothing is left. */
  private static final int MAX_ROUNDS = 3;
  /** After Fulcrum refused a write planned on a cached copy: read again, soon. */
  private static final Duration REREAD_DELAY = Duration.ofSeconds(1);

  private final FulcrumClient client;
  private final Observer observer;
  private final Applier applier;
  private final Planner planner = new Planner();
  private final RemovalGuard guard;
  private final Duration memberWait;
  private final DesiredState desired;

  public Reconciler(FulcrumClient client, Database db, WorkQueue queue, RemovalGuard guard,
      ReconcileSettings settings, Clock clock) {
    this.client = client;
    this.guard = guard;
    this.memberWait = settings.memberWait();
    this.desired = new DesiredState(db);
    LinkStore links = new LinkStore(db);
    IntentStore intents = new IntentStore(db);
    this.observer = new Observer(client, desired, links, intents, settings, clock);
    this.applier = new Applier(client, db, observer, links, intents, new AuditLog(db, clock), guard, desired, queue,
        settings.groupsPush(), clock);
  }

  public Outcome reconcile(ResourceKey key) {
    long loadsBefore = observer.loads();
    List<Action> applied = new ArrayList<>();
    try {
      if (key.type() == EntityType.USER) {
        requeueGroupsOfOwnersNamesake(key.scimId());
      }
      for (int round = 0; round < MAX_ROUNDS; round++) {
        if (observer.idle(key)) {
          return applied.isEmpty() ? new Outcome.NoChange() : new Outcome.Applied(applied);
        }
        Plan plan = plan(key);
        Optional<String> failure = plan.actions().stream()
            .filter(a -> a.kind() == Action.Kind.FAIL).map(a -> ((Action.Fail) a).reason()).findFirst();
        if (failure.isPresent()) {
          return new Outcome.Terminal(failure.get());
        }
        Optional<String> skip = plan.actions().stream()
            .filter(a -> a.kind() == Action.Kind.SKIP).map(a -> ((Action.Skip) a).reason()).findFirst();
        if (skip.isPresent()) {
          return new Outcome.Skipped(skip.get());
        }
        if (plan.settled()) {
          return settled(plan, applied);
        }
        if (plan.removesMember()) {
          Optional<String> held = guard.holds(key.scimId());
          if (held.isPresent()) {
            return new Outcome.Held(held.get());
          }
        }
        applier.apply(key, plan);
        plan.actions().stream().filter(a -> a.kind() != Action.Kind.REFUSE).forEach(applied::add);
        if (!plan.waitingFor().isEmpty()) {
          return new Outcome.RetryAfter(memberWait, "waiting for members not yet in Fulcrum: SCIM users "
              + String.join(", ", plan.waitingFor()));
        }
      }
      return new Outcome.Failed("Fulcrum does not reflect the changes made to " + key + " (still planning "
          + plan(key).actions() + " after " + MAX_ROUNDS + " rounds)");
    } catch (FulcrumException.RateLimited e) {
      return new Outcome.RetryAfter(e.retryAfter(), e.getMessage());
    } catch (FulcrumException.Unauthorized | FulcrumException.Forbidden e) {
      return new Outcome.Paused(e.getMessage());
    } catch (FulcrumException.Unavailable e) {
      return new Outcome.Failed(e.getMessage());
    } catch (FulcrumException.Rejected | FulcrumException.NotFound e) {
      if (observer.loads() == loadsBefore) {
        // Planned on a copy read before this reconcile: Fulcrum may have changed under it.
        observer.invalidate();
        return new Outcome.RetryAfter(REREAD_DELAY, e.getMessage() + "; reading Fulcrum again");
      }
      return new Outcome.Terminal(e.getMessage());
    } catch (RuntimeException e) {
      log.error("reconcile of {} failed unexpectedly", key, e);
      return new Outcome.Failed(key + ": " + e);
    }
  }

  /**
   * Nothing left to change. A refused part (an unknown role) makes the key dead with its reason
   * even when the rest went through, so the mapping gets fixed instead of silently ignored.
   */
  private static Outcome settled(Plan plan, List<Action> applied) {
    Optional<String> refused = plan.refusals();
    if (refused.isPresent()) {
      return new Outcome.Terminal(refused.get() + (applied.isEmpty() ? "" : " (the rest of the change was applied)"));
    }
    return applied.isEmpty() ? new Outcome.NoChange() : new Outcome.Applied(applied);
  }

  /**
   * A SCIM user with the token owner's email is never linked, so no link or removal moves the
   * owner in or out of the groups that list it; yet the group plans keep the owner only while that
   * user is active. Each change to that user re-queues its groups instead. The owner is compared
   * only once known (no call for it): a group plan that added the owner learned it first, and
   * after a restart the nightly resync re-plans every group.
   */
  private void requeueGroupsOfOwnersNamesake(String scimId) {
    Optional<DesiredUser> d = desired.user(scimId);
    if (d.isPresent() && d.get().email() != null && observer.knownOwner()
        .filter(o -> d.get().email().equalsIgnoreCase(o.email())).isPresent()) {
      applier.requeueGroupsOf(scimId);
    }
  }

  /** What reconciling {@code key} would do now, without doing it (resync's dry run). */
  public Plan plan(ResourceKey key) {
    PlanContext context = observer.context();
    return key.type() == EntityType.USER
        ? planner.user(observer.user(key.scimId()), context)
        : planner.group(observer.group(key.scimId()), context);
  }

  /**
   * Drops the cached copies of Fulcrum's members and groups: the next plan reads Fulcrum again.
   * Resync calls it because edits made by hand in Fulcrum are invisible to a copy read before them.
   */
  public void forgetFulcrum() {
    observer.invalidate();
  }

  /** The client's circuit breaker is open: a cycle now would only fail. */
  public boolean circuitOpen() {
    return client.circuitOpen();
  }

  /** Whether Fulcrum accepts the token again (asked once per cycle while paused). */
  public boolean probe() {
    try {
      client.tokenOwner();
      return true;
    } catch (FulcrumException e) {
      return false;
    }
  }
}
