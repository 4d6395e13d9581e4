package com.fulcrumscim.app;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumOrganization;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.reconcile.LinkOrganization;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 */
final class OrganizationCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrganizationCheck.class);
  /** How often a check Fulcrum did not answer is tried again: one call of the hourly budget each. */
  static final Duration AGAIN = Duration.ofMinutes(1);

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
  private ScheduledExecutorService retries;

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

  /** At start, when Fulcrum did not answer: this node stands by, and asks again every {@link #again} until it does. */
  void notFound(FulcrumException e) {
    if (db == null) {
      return;
    }
    state = new NotChecked(e.getMessage());
    retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "organization-check");
      t.setDaemon(true);
      return t;
    });
    retries.scheduleWithFixedDelay(this::tryAgain, again.toMillis(), again.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tryAgain() {
    try {
      found(client.tokenOwner());
      log.info("checked which Fulcrum organization this node's API token is in: {}", state instanceof Differs
          ? "another than the database's (see the ERROR line)" : "it may lead");
      retries.shutdown();
    } catch (FulcrumException e) {
      state = new NotChecked(e.getMessage());
    } catch (RuntimeException e) {
      // the database did not answer: the next try asks both again
      log.warn("could not check this node's Fulcrum organization against the database's (tried again in {}): {}",
          again, e.toString());
    }
  }

  /**
   * Why this node must not lead, within {@code bound}: not checked yet, or of another organization.
   * A node that leads with nothing recorded (a database of an earlier release) records its own.
   */
  Optional<String> mustNotLead(Duration bound) {
    State now = state;
    if (now instanceof NotChecked n) {
      return Optional.of("this node has not yet found out which Fulcrum organization its API token is in (" + n.why()
          + "; asked again every " + again.toSeconds() + " s), and leads only once it has");
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
  public void close() {
    if (retries != null) {
      retries.shutdownNow();
    }
  }
}
