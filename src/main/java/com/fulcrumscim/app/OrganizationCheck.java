package com.fulcrumscim.app;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumOrganization;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.reconcile.LinkOrganization;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's API token is in the Fulcrum organization the database's links point into
 * ({@link LinkOrganization}): a node must have found out before it leads, and one of another
 * organization never does (review-s17ha F1). Such a node still takes SCIM requests, which only store
 * the desired state all nodes share, but its /readyz answers 503 so a balancer sends them to the
 * others, and its /healthz, its node record (status on any node) and one ERROR line say why. Refusing
 * the start instead would leave status on the other nodes silent, and a check that could only run
 * later (Fulcrum unreachable at start) would need this state anyway.
 *
 * <p>Only a check that Fulcrum answered with another organization bars a node from leading. A node
 * whose check could not be made (Fulcrum unreachable, or its token refused) leads as it did before
 * this check existed, so a start during an outage and the hand-over to a node whose token works now
 * are as prompt as ever (they waited for a once-a-minute check): it asks again as it takes the lease
 * over (waiting at most the lease's bound for the answer) and at each renewal, at most every
 * {@link #SOONEST}, and until Fulcrum has told it which organization its token is in, none of its
 * writes is sent, nor any read while it leads ({@link #check(String)}): nothing is written to another
 * organization's Fulcrum meanwhile, nor is a link dropped for a member missing there.
 */
final class OrganizationCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrganizationCheck.class);
  /** How often a standby whose check could not be made asks again: one call of the hourly budget each. */
  static final Duration AGAIN = Duration.ofMinutes(1);
  /** At most one check this often when a take-over, a renewal or a write asks for one. */
  static final Duration SOONEST = Duration.ofSeconds(5);
  /** The call that asks which organization the token is in ({@link FulcrumClient#tokenOwner()}). */
  private static final String TOKEN_OWNER = "GET /api/v2/users.json";

  /** What this node found out, last. */
  private sealed interface State {}

  private record NotChecked(String why) implements State {}

  /** The token's organization, when Fulcrum said it; {@link #TOLD} when its answer did not. */
  private record Checked(Optional<FulcrumOrganization> organization) implements State {}

  private record Differs(String reason) implements State {}

  private static final State TOLD = new Checked(Optional.empty());

  private final Database db;
  private final FulcrumClient client;
  private final String baseUrl;
  private final Duration again;
  private volatile State state;
  private ScheduledExecutorService thread;
  /** The check under way or last made on {@link #thread}, and when it was asked for (monotonic clock). */
  private CompletableFuture<Void> asked = CompletableFuture.completedFuture(null);
  private long askedAt;
  private boolean everAsked;

  private OrganizationCheck(Database db, FulcrumClient client, String baseUrl, Duration again, State state) {
    this.db = db;
    this.client = client;
    this.baseUrl = baseUrl;
    this.again = again;
    this.state = state;
  }

  /** A real Fulcrum at {@code baseUrl}: nothing checked yet. */
  static OrganizationCheck of(Database db, FulcrumClient client, String baseUrl, Duration again) {
    return new OrganizationCheck(db, client, baseUrl, again, new NotChecked("Fulcrum not asked yet"));
  }

  /** The embedded emulator: its links are forgotten at every start, so there is nothing to check them against. */
  static OrganizationCheck embedded() {
    return new OrganizationCheck(null, null, null, AGAIN, TOLD);
  }

  /** At start, with the token owner Fulcrum returned. */
  void found(FulcrumUser owner) {
    if (db == null) {
      return; // the embedded emulator's: nothing to check against
    }
    if (owner.organization() == null) {
      state = TOLD;
      log.warn("Fulcrum's answer to GET /api/v2/users.json names no current_organization: this node cannot tell which"
          + " organization its API token is in, and takes fulcrum.base_url alone to say where the links point (as"
          + " releases before this one did): a node configured for another organization is not recognised");
      return;
    }
    FulcrumOrganization mine = owner.organization();
    Optional<FulcrumOrganization> recorded = LinkOrganization.atStart(db, mine, baseUrl);
    state = recorded.<State>map(r -> differs(mine, r)).orElse(new Checked(Optional.of(mine)));
  }

  /**
   * At start, when Fulcrum did not answer or refused the token: this node leads as it would without the
   * check, sends no write until it knows, and asks again every {@link #again} meanwhile (a standby's
   * /readyz, /healthz and node record then say so if it is another organization's).
   */
  void notFound(FulcrumException e) {
    if (db == null) {
      return;
    }
    state = new NotChecked(e.getMessage());
    thread().scheduleWithFixedDelay(this::askSoon, again.toMillis(), again.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized ScheduledExecutorService thread() {
    if (thread == null) {
      thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "organization-check");
        t.setDaemon(true);
        return t;
      });
    }
    return thread;
  }

  /**
   * Asks Fulcrum again on the check's thread, unless this node knows its organization already, a check is
   * under way (its answer is the one returned), or one was asked for within {@link #SOONEST}.
   */
  private synchronized CompletableFuture<Void> askSoon() {
    long now = System.nanoTime();
    if (!(state instanceof NotChecked) || !asked.isDone() || everAsked && now - askedAt < SOONEST.toNanos()) {
      return asked;
    }
    everAsked = true;
    askedAt = now;
    try {
      asked = CompletableFuture.runAsync(this::ask, thread());
    } catch (RejectedExecutionException closed) {
      // closed at a stop: nothing more to ask
    }
    return asked;
  }

  private void ask() {
    try {
      found(client.tokenOwner());
      log.info("checked which Fulcrum organization this node's API token is in: {}", state instanceof Differs
          ? "another than the database's (see the ERROR line)" : "it may lead and write");
    } catch (FulcrumException e) {
      state = new NotChecked(e.getMessage());
    } catch (RuntimeException e) {
      // the database did not answer: the next ask tries both again
      log.warn("could not check this node's Fulcrum organization against the database's (asked again at the next"
          + " take-over, renewal or write, or in {}): {}", again, e.toString());
    }
  }

  /**
   * Why this node must not lead, within {@code bound}: its token is in another organization. Not
   * checked yet, it asks Fulcrum again, and {@code takingOver} waits for the answer within {@code bound};
   * still not told (Fulcrum unreachable, the token refused), it may lead, as without this check (the
   * token-refused hand-over decides then), and sends no write until it is told. A node that leads with
   * nothing recorded (a database of an earlier release) records its own.
   */
  Optional<String> mustNotLead(Duration bound, boolean takingOver) {
    if (state instanceof NotChecked) {
      CompletableFuture<Void> answer = askSoon();
      if (takingOver) {
        waitFor(answer, bound);
      }
    }
    State now = state;
    if (now instanceof NotChecked) {
      return Optional.empty();
    }
    if (now instanceof Differs d) {
      return Optional.of(d.reason());
    }
    Optional<FulcrumOrganization> mine = ((Checked) now).organization();
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    Optional<FulcrumOrganization> recorded = LinkOrganization.leading(db, mine.get(), bound);
    if (recorded.isEmpty()) {
      return Optional.empty();
    }
    Differs d = differs(mine.get(), recorded.get());
    state = d;
    return Optional.of(d.reason());
  }

  private static void waitFor(CompletableFuture<Void> answer, Duration bound) {
    try {
      answer.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // not told in time: asked again at the next renewal
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Right before a call to Fulcrum the caller gates (a write, a leader's read): refused (not sent) unless
   * Fulcrum told this node which organization its token is in and it is the database's (or Fulcrum's answer
   * names none). Not told yet, it asks again. The token's own user is always read: that is the check itself.
   */
  void check(String endpoint) {
    State now = state;
    if (now instanceof Checked || TOKEN_OWNER.equals(endpoint)) {
      return;
    }
    if (now instanceof Differs d) {
      throw new FulcrumException.Unavailable(endpoint, "not sent: " + d.reason(), null);
    }
    askSoon();
    throw new FulcrumException.Unavailable(endpoint, "not sent: this node has not yet found out which Fulcrum organization"
        + " its API token is in (" + ((NotChecked) now).why() + "; asked again, at most every " + SOONEST.toSeconds()
        + " s), and writes only once it has", null);
  }

  /** Why this node is of another organization than the database's, for /readyz, /healthz and its node record. */
  Optional<String> differs() {
    return state instanceof Differs d ? Optional.of(d.reason()) : Optional.empty();
  }

  private Differs differs(FulcrumOrganization mine, FulcrumOrganization recorded) {
    String reason = "this node's Fulcrum API token is in the organization " + mine.describe() + " at " + baseUrl
        + ", but this database's links point into " + recorded.describe() + " (" + LinkOrganization.KEY + ")";
    log.error("{}: this node never leads nor writes to Fulcrum, and its /readyz answers 503. Give it the fulcrum.base_url"
        + " and fulcrum.api_token of {} as on the other nodes, or give {} a database of its own (storage.path or"
        + " storage.url), then restart it", reason, recorded.describe(), mine.describe());
    return new Differs(reason);
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
