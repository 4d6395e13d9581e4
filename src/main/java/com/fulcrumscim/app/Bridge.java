package com.fulcrumscim.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigChanges;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.control.AcceptedTokens;
import com.fulcrumscim.control.Leadership;
import com.fulcrumscim.control.LeaseKeeper;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.RequestExecutor;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.db.SqliteDirectory;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.fulcrum.BeforeSend;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.StallWatch;
import com.fulcrumscim.journal.RestoreMarker;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.Tombstones;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.ops.BridgeMetrics;
import com.fulcrumscim.ops.BuildInfo;
import com.fulcrumscim.ops.FulcrumCallLog;
import com.fulcrumscim.ops.OpsEndpoints;
import com.fulcrumscim.ops.OpsStore;
import com.fulcrumscim.ops.Readiness;
import com.fulcrumscim.ops.RetentionService;
import com.fulcrumscim.ops.StoreLocations;
import com.fulcrumscim.ops.TlsSupport;
import com.fulcrumscim.ops.WriterNode;
import com.fulcrumscim.reconcile.PolicyCheck;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.Outcome;
import com.fulcrumscim.reconcile.ReconcileLoop;
import com.fulcrumscim.reconcile.Reconciler;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcilerService;
import com.fulcrumscim.reconcile.LinkTarget;
import com.fulcrumscim.reconcile.ReadSide;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.restore.Carried;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.resync.Resync;
import com.fulcrumscim.resync.ResyncService;
import com.fulcrumscim.scim.BearerAuth;
import com.fulcrumscim.scim.BearerTokens;
import com.fulcrumscim.scim.ScimJson;
import com.fulcrumscim.scim.ScimServer;
import com.fulcrumscim.scim.schema.InputLimits;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: the SCIM endpoint, the reconciler, the Fulcrum client (or, with
 * {@code fulcrum.base_url: embedded}, an in-process emulator) and the ops endpoints. Everything it
 * uses comes in through the constructor; {@link #start} opens and starts, {@link #stop} undoes it
 * in reverse order.
 */
public final class Bridge {
  /** The environment variable holding a plain SCIM token, read at start only. */
  public static final String SCIM_TOKEN_ENV = "FULCRUM_SCIM_TOKEN";
  private static final Logger log = LoggerFactory.getLogger(Bridge.class);
  /**
   * How long a stop waits for the SCIM requests under way to be answered: a healthy one takes
   * milliseconds, a burst of changes to one large group seconds. One still under way after it is
   * refused at its commit, as the stall watch closes next ({@link StallWatch#checkCommit}).
   */
  private static final Duration SCIM_DRAIN = Duration.ofSeconds(10);

  private final BridgeConfig config;
  private final Function<String, String> environment;
  private final Clock clock;
  /** This node's clock against the database server's, as its record's writes measure it. */
  private final ClockSkew skew;
  private final SecureRandom random;
  private final Mode mode;
  /** What start started, undone by {@link #stop} from the top. */
  private final Deque<Step> running = new ArrayDeque<>();
  /**
   * Set by a stop whose work under way (the reconcile cycle, an operator request, a scheduled resync) did
   * not end within its bound: on PostgreSQL the writer lease is then left to expire.
   */
  private volatile boolean cutShort;
  /** The step under way on the stopping thread, for the line that says a stop ran out of time. */
  private volatile String stoppingNow;
  private Database db;
  private ScimServer server;
  private ReconcilerService reconciler;
  private ResyncService resync;
  private Resync resyncer;
  private ReadSide readSide;
  private WriterLease writerLease;
  private LeaseKeeper lease;
  private AcceptedTokens acceptedTokens;
  /** On a node of several: checks its own token while that matters, and says when Fulcrum accepts it. */
  private OwnTokenCheck tokenCheck;
  /** Whether this node's token is in the organization the links point into; set once the Fulcrum client is. */
  private volatile OrganizationCheck organization;
  private ReconcileLoop loop;
  private final OwnTokenRefusal ownToken = new OwnTokenRefusal();
  /** A start check could not be made (Fulcrum refused or did not answer): this node's token is not reported working. */
  private boolean someNotChecked;
  /** Which tokens this node accepts, as token forget-generated reads it (FULL nodes, once they listen). */
  private NodeTokens.Recorded nodeTokens;
  private final Leadership leadership;
  private WorkQueue queue;
  /** The queue this node's reconciler claims with: the take-over rescues through it, leaving its live claims to their workers. */
  private WorkQueue reconcileQueue;
  private FulcrumCallLog callLog;
  private HttpFulcrumClient client;
  private RequestExecutor requests;
  private FulcrumEmulator emulator;
  private Optional<String> generatedToken = Optional.empty();
  private BearerAuth auth;
  private Optional<TlsSupport> tls = Optional.empty();
  /**
   * Set when start-up's GET found no membership with users.reassign_records_to's id. The
   * reconciler's own flag changes only when a plan looks for the target, so after a restart with a
   * wrong id and no Okta change the gauge read 0 for up to a day while removals would leave records
   * unassigned. Fulcrum does not give an id back, and the setting changes only with a restart, so it
   * stays set until then.
   */
  private volatile boolean reassignTargetMissingAtStart;

  /** What runs: everything, or only the SCIM receiver and its store (tests that drive the reconciler themselves). */
  public enum Mode {
    FULL,
    RECEIVER_ONLY
  }

  /** {@code environment}: how FULCRUM_SCIM_TOKEN is looked up (System::getenv in the daemon). */
  public Bridge(BridgeConfig config, Function<String, String> environment, Clock clock, SecureRandom random) {
    this(config, environment, clock, random, Mode.FULL);
  }

  public Bridge(BridgeConfig config, Function<String, String> environment, Clock clock, SecureRandom random, Mode mode) {
    this.mode = mode;
    this.config = config;
    this.environment = environment;
    this.clock = clock;
    this.random = random;
    this.leadership = new Leadership(config.ha().leaseTtl());
    this.skew = new ClockSkew(clock);
  }

  public Bridge start() {
    // first: a weak SCIM token or a TLS file that does not load stops start-up before anything is opened or started
    ScimTokens.requireStrong(environment.apply(SCIM_TOKEN_ENV));
    tls = config.server().tls().enabled()
        ? Optional.of(TlsSupport.load(config.server().tls())) : Optional.empty();
    try {
      if (!config.storage().postgres()) {
        SqliteDirectory.problem(config.storage().path()).ifPresent(problem -> {
          throw config.storage().pathProblem("config", problem);
        });
      }
      // before the file is opened, and released last: a restore or a db copy|migrate cannot start
      // once this daemon has the file, nor this daemon while one of them runs
      // (not by a receiver alone: the test beside it plays the daemon, and runs the operator commands that
      // then work in-process, taking this lock themselves)
      if (mode == Mode.FULL) {
        closes("the store lock", StoreLock.take(StoreLocations.of(config.storage()), "serve"));
      }
      db = Database.open(StoreLocations.of(config.storage()));
      closes("the database", db);
      if (mode == Mode.FULL) {
        // Held from here, taken over at the end of start: an operator command run while this daemon
        // checks Fulcrum and starts its servers asks it, instead of doing the work itself meanwhile.
        writerLease = new WriterLease(db, DatabaseClock.of(db, clock), WriterLease.Role.DAEMON, config.ha().leaseTtl());
        acceptedTokens = new AcceptedTokens(db, DatabaseClock.of(db, clock), writerLease.me(),
            OwnTokenCheck.fresh(config.ha().leaseTtl()));
        lease = new LeaseKeeper(writerLease, leadership, this::startWriting, this::stopWriting, new LeaseKeeper.MustNotLead() {
          @Override
          public Optional<String> within(Duration bound) {
            return mustNotLead(bound);
          }

          @Override
          public boolean yields() {
            return otherNodesMayRun() && ownToken.current().isPresent();
          }

          @Override
          public Optional<String> handsOver(Duration bound) {
            return handOver(bound);
          }
        });
        // given up last; on PostgreSQL left to expire when work was cut short: a call of it may still be on its
        // way to Fulcrum, and a standby would take over at once. On SQLite no other process writes to the file
        // while this one holds its store lock, and the next serve, once it has that lock, leads at once (review-s14c F6)
        stops("the writer lease", budget -> {
          if (cutShort && writerLease.shared()) {
            lease.leave(budget.left());
          } else {
            lease.close(budget.left());
          }
        });
        lease.hold();
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      ObjectMapper json = ScimJson.newMapper();
      UserStore users = new UserStore(json);
      GroupStore groups = new GroupStore(json);
      // on PostgreSQL the changes this node accepts are due no later than the database's clock says (review-s17ha
      // F4: a clock hours ahead held each deactivation back for hours), nor than its own (review-s17e F1: the
      // leader compares on its own clock): the offset its record's writes measure, every lease life, with no
      // round trip of its own; its own clock until the first
      queue = new WorkQueue(db, otherNodesMayRun() ? skew.corrected() : clock);

      warnIfCarryIncomplete();
      BridgeMetrics metrics = new BridgeMetrics(registry, new OpsStore(db), clock);
      metrics.buildInfo(BuildInfo.current());
      closes("the JVM metrics", metrics.bindJvmAndProcess());
      Runnable onAccepted = () -> {};
      if (mode == Mode.FULL) {
        client = fulcrumClient(registry, queue);
        closes("the Fulcrum client", client);
        organization = config.fulcrum().embedded() ? OrganizationCheck.embedded()
            : OrganizationCheck.of(db, client, config.fulcrum().baseUrl(), OrganizationCheck.AGAIN);
        closes("the check of this node's Fulcrum organization", organization);
        metrics.fulcrumCoolDown(callLog);
        Optional<String> node = Optional.of(writerLease.me()).filter(me -> otherNodesMayRun());
        ReconcileWiring path = ReconcileWiring.onNode(node, config, client, db, clock, writerLease.fence(),
            new ReconcileLoop.Listener() {
          @Override
          public void finished(Outcome.Kind kind) {
            metrics.applyOutcome(kind.name().toLowerCase(Locale.ROOT));
          }

          @Override
          public void applied(Duration sinceAcknowledged) {
            metrics.applied(sinceAcknowledged);
          }

          @Override
          public void claimLost() {
            metrics.claimLost();
          }
        });
        loop = path.loop();
        checkPolicy(client, path.loop());
        if (otherNodesMayRun()) {
          tokenCheck = new OwnTokenCheck(ownToken, acceptedTokens, leadership, loop, path.reconciler(), config.ha().leaseTtl());
        }
        // after the client: a start against the embedded emulator has forgotten its links by now
        PolicyCheck.frozenGroupsWarning(PolicyCheck.frozenGroups(db, config.groups().push())).ifPresent(w -> log.warn("{}", w));
        readSide = path.readSide();
        reconcileQueue = path.queue();
        Gauge.builder("fulcrum.scim.reassign.target.missing", readSide,
                r -> reassignTargetMissingAtStart || r.reassignTargetMissing() ? 1 : 0)
            .description("1 while users.reassign_records_to names a member that is gone: removed members' records stay unassigned")
            .register(registry);
        FunctionCounter.builder("fulcrum.scim.reconcile.rereads", readSide, ReadSide::rereads)
            .description("Single Fulcrum reads that confirmed a plan made on a cached list, or a removal whose answer was lost")
            .register(registry);
        Gauge.builder("fulcrum.scim.leader", leadership, l -> l.leading() ? 1 : 0)
            .description("1 while this node holds the writer lease and reconciles into Fulcrum; the sum over nodes should be 1")
            .register(registry);
        // started on every node; only the leader's cycles claim work
        reconciler = new ReconcilerService(path.loop(), config.reconcile().interval(), leadership::mayWrite);
        leadership.whenLeading(reconciler::trigger);
        waitsFor("the reconcile cycle under way", reconciler::stop, "the changes it claimed stay claimed, and run again"
            + " from what Fulcrum then holds " + (writerLease.shared() ? "once a node takes the writer lease over (another"
            + " node within ha.lease_ttl, or this one at its next start)" : "at this serve's next start"));
        resyncer = new Resync(client, db, ReconcileSettings.from(config), clock, Sleeper.REAL);
        resync = new ResyncService(resyncer, path, new SettingStore(db), config.resync().schedule(), clock);
        requests = new RequestExecutor(new RequestStore(db, clock, writerLease.fence()),
            OperatorActions.configured(config, db, clock, reconciler::trigger),
            () -> new OperatorActions.Fulcrum(resyncer, path, target()));
        onAccepted = reconciler::trigger;
      }

      StallWatch stalls = StallWatch.started();
      closes("the stall watch", stalls);
      Intake intake = new Intake(db, queue, users, groups, new JournalStore(), new Tombstones(), clock, stalls,
          onAccepted);
      ScimTokens tokens = scimTokens(config);
      generatedToken = tokens.generated();
      auth = new BearerAuth(tokens.hashes());
      Supplier<Optional<String>> otherOrganization = () -> organization == null ? Optional.empty() : organization.differs();
      Readiness readiness = new Readiness(db, otherOrganization);
      OpsEndpoints ops = new OpsEndpoints(readiness, new OpsStore(db), registry, target(),
          leadership::leading, ownToken::reason, otherOrganization, mode == Mode.FULL ? this::writer : null);
      ScimServer scim = new ScimServer(ScimServer.Settings.of(config), auth, db, intake, users, groups,
          new ResourceNormalizer(InputLimits.DEFAULTS, clock), json, clock);
      server = scim.start(cfg -> {
        cfg.routes.before(ScimServer.BASE_PATH + "/*", metrics::startScimRequest);
        cfg.routes.after(ScimServer.BASE_PATH + "/*", ctx -> metrics.recordScimRequest(ctx, scim::routeOf));
        tls.ifPresent(t -> t.useHttps(cfg, config.server().host(), config.server().port()));
      }, cfg -> {
        if (config.server().opsPort() == 0) {
          ops.addTo(cfg);
        }
      });
      // after the work under way, before the database: a request under way when the stop began is answered
      stops("the SCIM server", budget -> server.stop(budget.within(SCIM_DRAIN)));
      if (config.server().opsPort() != 0) {
        Javalin opsServer = ops.startStandalone(config.server().host(), config.server().opsPort());
        closes("the ops server", opsServer::stop);
      }
      // once both ports listen: a start that fails before names no token, the generated one never shown or kept;
      // one generated at this start is named once claimed, when this node knows whether it or another's is kept
      if (tokens.generated().isEmpty()) {
        sayWhichTokens(tokens);
      }
      RetentionService retention = new RetentionService(db, new JournalStore(), new AuditLog(db, clock),
          config.retention(), clock).start(Duration.ofMinutes(5));
      closes("the retention job", retention);
      if (lease != null) {
        waitsFor("the scheduled resync under way", resync::stop, "the fixes it queued stay queued");
        waitsFor("the operator request under way", requests::close, "its command is answered that the daemon stopped"
            + " while carrying it out once a node takes the writer lease over (run it again then)");
        // stopped first, so no writer starts late while the rest stops; the lease itself is released last
        stops("the writer lease's renewals", budget -> lease.halt(budget.beforeTail().left()));
        nodeTokens = new NodeTokens(db, DatabaseClock.of(db, clock)).record(nodeAddress(), writerLease.me(),
            tokens.configured(), config.ha().leaseTtl(), skew, this::fulcrumProblem);
        stops("this node's record of the SCIM tokens it accepts", budget -> nodeTokens.close(budget.beforeTail()));
        if (tokenCheck != null) {
          // stopped first, before the keeper halts and before the record above (which, left, only ages out): a
          // stopping node takes its entry back first, so no paused leader hands the lease to a node going away
          // (review-s12c F4); only a token every start check read worked with counts
          tokenCheck.start(!someNotChecked);
          stops("the check of this node's own Fulcrum API token", budget -> tokenCheck.close(budget.beforeTail()));
        }
        // before all else, every writer is told to end, then each is waited for: a resync at its next check (settling
        // alone may take minutes), the reconciler's cycle at its next key, so none claims while the stop waits on another
        stops("the work under way", budget -> {
          resyncer.close();
          reconciler.halt();
        });
        reconciler.start();
        lease.start();
      }
      // the first step of a stop: /readyz says not ready and new SCIM requests get 503 while the rest stops
      stops("taking SCIM requests", budget -> {
        readiness.stopping();
        scim.refuseNewRequests();
      });
      return this;
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /**
   * Takes over as the node that writes to Fulcrum, once this daemon holds the writer lease (at
   * once, unless another node or an operator command holds it): work a dead leader left claimed is
   * due again, the trailing hour's calls (all nodes') are what the budget gauges start from, and the
   * scheduled resync and operator requests run here. The reconciler runs on every node and claims
   * work only while this one leads. Its copies of Fulcrum's lists are dropped: another node or an
   * operator command may have written since they were read (a group copy missing a member another
   * writer added would plan no removal when Okta takes that member out). Its real
   * {@code fulcrum.base_url} becomes the one the database records: a node that started beside
   * another of a different one left that one's recorded.
   */
  private void startWriting() {
    loop.tookOver();
    LinkTarget.led(db, config.fulcrum().baseUrl());
    resyncer.resumeRuns();
    readSide.forget();
    int rescued = reconcileQueue.rescue(writerLease.fence());
    if (rescued > 0) {
      log.info("{} changes were being applied when the previous writer stopped; they run again", rescued);
    }
    client.trailingHourIs(callLog.trailingHour());
    resync.start();
    requests.start();
    log.info("reconciling into {} ({} Fulcrum calls in the trailing hour so far, by any node); operator commands "
        + "(resync, journal retry|skip, approve-removals, restore release) are carried out here", target(), callLog.lastHour());
    RestoreMarker marker = new RestoreMarker(db);
    marker.started();
    marker.current().ifPresent(mark -> log.warn("this database was restored from a backup at {}: {};"
        + " `fulcrum-scim resync --dry-run` lists them (README, \"Backup and restore\")", mark.at(), RestoreMarker.HOLDS));
  }

  /**
   * On every node, whether or not it writes: status exits 3 for it, and the restore's own WARNING
   * went to a terminal that may be closed by now, while a deactivation among what was lost leaves
   * that person's access in Fulcrum.
   */
  private void warnIfCarryIncomplete() {
    IncompleteCarry.current(db).ifPresent(carry -> log.warn("the restore at {} could not carry forward {} of what the"
        + " replaced database held newer than the backup (`fulcrum-scim status` lists it): a deactivation among it leaves"
        + " that person's access in Fulcrum. Follow the {}, then run `fulcrum-scim restore acknowledge`", carry.at(),
        carry.notCarried().size() == 1 ? "1 thing" : carry.notCarried().size() + " things", Carried.README_STEP));
  }

  /**
   * An older node left running as a standby after a newer one migrated would reconcile without the
   * new schema's meaning (a V009 link's role origin, say). Asked at each take-over and each renewal
   * (a take-over in the midst of the migration saw the old schema): the node gives the lease up and
   * backs off (LeaseKeeper), and /readyz fails (Readiness) so intake goes to the other nodes.
   * {@code bound}: the lease's, so a slow look never delays the keeper's next renewal past the lease's life.
   */
  private Optional<String> mustNotLead(Duration bound) {
    Optional<String> newer = db.newerSchema(bound).map(why -> why + "; this node does not lead over it, and /readyz answers 503");
    if (newer.isPresent()) {
      return newer;
    }
    // set before the keeper takes over at the end of start; only a node Fulcrum told of another organization never leads
    return organization == null ? Optional.of("this node has not checked its Fulcrum organization yet")
        : organization.mustNotLead(bound, !leadership.leading());
  }

  /**
   * A leader paused because Fulcrum refused it (its token, or its token's user a read every change
   * needs) gives the lease up, at a renewal, when Fulcrum lately accepted another node's token
   * ({@link OwnTokenCheck}): kept, it stalled every deactivation while that node stood by
   * (review-s11b, s11f F1). A pause it took over and has not probed yet is not its own refusal. When
   * every node's token is refused, no node has an entry and the one that leads stays and probes.
   */
  private Optional<String> handOver(Duration bound) {
    // with no other node, an entry can only be this serve's own earlier run's (review-s11f F3)
    Optional<Outcome.Paused> refused = loop.refusedHere();
    if (!otherNodesMayRun() || !leadership.leading() || refused.isEmpty()) {
      return Optional.empty();
    }
    Optional<AcceptedTokens.Accepted> other = acceptedTokens.takeAnothers(bound);
    if (other.isEmpty()) {
      return Optional.empty();
    }
    ownToken.refused(refused.get());
    return Optional.of("Fulcrum refuses this node (the reconciler is paused: " + refused.get().reason() + "), and accepted"
        + " the API token of the node " + other.get().node() + " at " + other.get().at() + ": this node hands the writer"
        + " lease over to a node whose token works");
  }

  /** After the writer lease was lost to another node: this one is a standby until it takes the lease again. */
  private void stopWriting() {
    resyncer.stopRuns(); // its writes are fenced now: it would only wait for retries
    // on the keeper's thread, which renews or retakes the lease only once this returns: a request or
    // resync stuck on Fulcrum (read_timeout, retries) must not hold it for minutes
    Duration bound = writerLease.ttl().dividedBy(4);
    StopBudget budget = StopBudget.of(bound);
    List<String> left = new ArrayList<>();
    if (!requests.close(budget.left())) {
      left.add("the operator request");
    }
    if (!resync.stop(budget.left())) {
      left.add("the scheduled resync");
    }
    if (!left.isEmpty()) {
      log.warn("{} still under way {} ms after this node lost the writer lease, left to end on its own thread: its"
          + " Fulcrum writes are refused while this node does not lead; a command waiting on a request is answered that"
          + " the daemon stopped while carrying it out once another node takes the lease over, and if this one leads"
          + " again first, the request finishes here and answers it (no other request begins before)",
          String.join(" and ", left), bound.toMillis());
    }
  }

  private ScimTokens scimTokens(BridgeConfig from) {
    return ScimTokens.resolve(from.scim().tokenHashes(), environment.apply(SCIM_TOKEN_ENV), new SettingStore(db), random);
  }

  /**
   * What SIGHUP re-reads from {@code fresh}: the SCIM token hashes (and whether the generated token
   * is still kept: {@code token forget-generated}) and, when serving HTTPS, the certificate and key.
   * Returns what took effect, in words for the log. Everything else needs a restart.
   */
  public List<String> reload(BridgeConfig fresh) {
    List<String> reloaded = new ArrayList<>();
    ScimTokens next = ScimTokens.reloaded(ScimTokens.configured(fresh.scim().tokenHashes(), environment.apply(SCIM_TOKEN_ENV)),
        new SettingStore(db));
    boolean tlsToo = tls.isPresent() && fresh.server().tls().enabled();
    // the certificate first: one that does not load must leave the tokens as they were too
    if (tlsToo) {
      tls.get().reload(fresh.server().tls());
    }
    auth.replace(next.hashes());
    if (nodeTokens != null) {
      // after: a token taken out is refused without waiting on the database, whose failure here undoes nothing
      nodeTokens.accepting(next.configured());
    }
    sayWhichTokens(next);
    reloaded.add("scim.token_hashes (accepted: " + next.accepted() + ")");
    if (tlsToo) {
      reloaded.add("server.tls certificate " + fresh.server().tls().certificate());
    }
    return reloaded;
  }

  /**
   * How to move off the generated token, at each start and reload: INFO while it is the only one (a
   * first run, the demo), a WARN once it is accepted beside configured tokens, a way in to close.
   */
  private static void sayWhichTokens(ScimTokens tokens) {
    tokens.generatedWarning().ifPresent(line -> {
      if (tokens.configured().isEmpty()) {
        log.info("{}", line);
      } else {
        log.warn("{}", line);
      }
    });
  }

  /**
   * The keys of {@code fresh} that differ from the config this daemon started with and that
   * {@link #reload} does not apply (logging.level is the caller's): they take effect at a restart.
   */
  public List<String> restartOnly(BridgeConfig fresh) {
    boolean tlsReloads = tls.isPresent() && fresh.server().tls().enabled();
    return ConfigChanges.between(config, fresh).stream()
        .filter(key -> !key.equals("logging.level") && !key.equals("scim.token_hashes")
            && !(tlsReloads && key.startsWith("server.tls.")))
        .toList();
  }

  private HttpFulcrumClient fulcrumClient(PrometheusMeterRegistry registry, WorkQueue queue) {
    BridgeConfig.Fulcrum f = config.fulcrum();
    String baseUrl = f.baseUrl();
    String token = f.apiToken();
    // before the emulator starts: a database whose links are a real Fulcrum's refuses it
    int queued = LinkTarget.settle(db, queue, baseUrl, otherNode());
    if (f.embedded()) {
      emulator = EmbeddedFulcrum.start(f);
      closes("the embedded Fulcrum emulator", emulator);
      baseUrl = emulator.baseUrl();
      token = emulator.token();
      log.warn("TARGET IS THE EMBEDDED FULCRUM EMULATOR at {} (fulcrum.base_url: embedded): nothing reaches a real "
          + "Fulcrum. It starts empty each run; {} stored users and groups are pushed into it again.", baseUrl, queued);
    }
    FulcrumSettings settings = FulcrumSettings.of(baseUrl, token, f.callsPerHour(), f.connectTimeout(), f.readTimeout());
    callLog = new FulcrumCallLog(db, DatabaseClock.of(db, clock), f.callsPerHour());
    // Right before each call: reads go anywhere, writes only from the unfenced leader; every call is
    // counted in the shared budget first, and the fence is looked at again after that transaction,
    // and once more when the connection stands (connecting can outlast half a lease).
    BeforeSend gate = BeforeSend.writesFencedBy(leadership, callLog).after(this::organizationAllows);
    return new HttpFulcrumClient(settings, registry, clock, Sleeper.REAL, FulcrumCallListener.NONE, gate);
  }


  /**
   * Refuses a call, not sent, while this node's token is not known to be in the organization the links point
   * into (review-s17ha F1): every write, and every read of a leader, whose reconciler would take a linked member
   * missing from another organization's Fulcrum for one already gone and drop its link; a node of another
   * organization sends nothing but its check. The start's checks (reads, before this node leads) and a
   * standby's token checks still go.
   */
  private void organizationAllows(String endpoint) {
    OrganizationCheck now = organization;
    boolean write = !endpoint.startsWith("GET ");
    if (now == null) {
      if (write) {
        throw new FulcrumException.Unavailable(endpoint, "not sent: this node has not checked its Fulcrum organization yet",
            null);
      }
      return;
    }
    if (write || leadership.leading() || now.differs().isPresent()) {
      now.check(endpoint);
    }
  }

  /**
   * A users.reassign_records_to Fulcrum does not know is logged, not fatal: removals then leave
   * records unassigned (the reconciler does the same once the target itself is deprovisioned), and
   * a bridge that refused to start would stop taking Okta's changes too. {@code check} fails on it.
   * A managed token owner is worth a warning. A roles.map value or roles.default Fulcrum has no role
   * of is an ERROR line, not fatal either, though {@code check} refuses it (exit 2): a role renamed in
   * Fulcrum since the last start makes each user it applies to DEAD, one at a time, but a bridge
   * that refused to start would stop every deactivation as well. An unreachable Fulcrum does not
   * stop the start: the reconciler waits for it anyway. The embedded emulator is checked as a real
   * Fulcrum is. The member list's first page is read too (one call of the hourly budget): every
   * change needs the list.
   */
  private void checkPolicy(HttpFulcrumClient client, ReconcileLoop loop) {
    try {
      // refused, only the first change paused, and until then everything said "running"
      client.readFirstMemberPage();
    } catch (FulcrumException e) {
      notChecked("that the token's user may list members", e, loop);
    }
    try {
      PolicyCheck.rolesExist("config", config.roles(), client.roles());
    } catch (ConfigException e) {
      log.error("{}: each user Okta gives that role ends DEAD until it is fixed (`fulcrum-scim check` exits 2 on it);"
          + " deactivations and other changes go on", e.getMessage());
    } catch (FulcrumException e) {
      notChecked("roles.map and roles.default against Fulcrum's roles", e, loop);
    }
    try {
      PolicyCheck.reassignTarget("config", config.users(), client);
    } catch (ConfigException e) {
      reassignTargetMissingAtStart = true;
      log.error("{}; until then removed members' records stay unassigned", e.getMessage());
    } catch (FulcrumException.Forbidden e) {
      log.error("{}", reassignLookupRefused(e));
    } catch (FulcrumException e) {
      notChecked("users.reassign_records_to", e, loop);
    }
    try {
      FulcrumUser owner = client.tokenOwner();
      organization.found(owner);
      PolicyCheck.managedOwner(db, owner).ifPresent(scimId -> log.warn("{}", PolicyCheck.managedOwnerWarning(owner, scimId)));
    } catch (FulcrumException e) {
      organization.notFound(e);
      notChecked("the token owner", e, loop);
    }
  }

  /**
   * The token's user may not read a member by id. Removals still go out: each removal's DELETE is
   * sent, and the records' target taken from the member list; only a removal read back by id (alone
   * in its cycle, the usual deactivation) ends DEAD, its member gone. A pause would hold back those
   * DELETEs, and every leaver would keep access until an operator acted: an ERROR line instead.
   */
  private static String reassignLookupRefused(FulcrumException.Forbidden e) {
    return "users.reassign_records_to could not be checked: " + e.getMessage() + ". The token works, but Fulcrum"
        + " refuses its user a member read by id, which confirms each removal: a removal read back by id (one alone in"
        + " its cycle, the usual deactivation) ends DEAD though its member is gone, and the deprovisioning alerts fire; "
        + e.whatItNeeds() + ", then `fulcrum-scim journal retry --all-dead` (no restart needed)";
  }

  /**
   * A refusal the reconciler pauses for (a refused token, review-s8c F3; a read every plan needs
   * refused to the token's user, a 403) pauses it now, not at the first change that needs Fulcrum:
   * until then status, /healthz and the gauge said "running", and only this WARN told. Anything
   * else (Fulcrum unreachable) pauses nothing: the reconciler's retries and circuit breaker are for that.
   */
  private void notChecked(String what, FulcrumException e, ReconcileLoop loop) {
    someNotChecked = true;
    log.warn("could not check {} at start: {}", what, e.getMessage());
    Optional<Outcome.Paused> pause = Reconciler.pauseFor(e);
    if (pause.isEmpty()) {
      return;
    }
    ownToken.refused(pause.get());
    if (holdsTheLease()) {
      loop.refusedAtStart(pause.get());
    } else {
      // The pause is shared by every node (review-s8f F1): a standby's would say "paused" for the
      // leader, whose token works, and erase which read the leader's own pause found refused.
      String token = pause.get().refusedRead().isPresent() ? "works, but its user is refused a read every change needs"
          : "is refused";
      if (otherNodesMayRun()) {
        log.error("this standby's Fulcrum API token {}: {}. It writes nothing now; it leaves the writer lease to a node"
            + " whose token works, and leads (paused) only if none takes it. Its /healthz says so", token, pause.get().reason());
      } else {
        // the lease is a stopped run's, live until it ends (review-s11g F3), or check --write-test's (review-s12a F6)
        log.error("this serve's Fulcrum API token {}: {}. It writes nothing now; it takes the writer lease when its holder"
            + " lets it go (a serve that stopped without releasing it: within ha.lease_ttl; `check --write-test`: when the"
            + " test ends), and pauses then. Its /healthz says so", token, pause.get().reason());
      }
    }
  }

  /**
   * Whether another serve may share this database: only on PostgreSQL. One SQLite file takes one
   * serve (its lock), so a lease or report found there is this serve's own earlier run, stopped.
   */
  private boolean otherNodesMayRun() {
    return config.storage().postgres();
  }

  /**
   * Another node that holds the writer lease, or held it less than a lease ago, as the lease names
   * it; never where no other node runs ({@link #otherNodesMayRun}).
   */
  private Optional<String> otherNode() {
    if (!otherNodesMayRun()) {
      return Optional.empty();
    }
    return writerLease.current().or(writerLease::lapsedDaemon).filter(h -> !h.holder().equals(writerLease.me()))
        .map(WriterLease.Holder::describe);
  }

  /**
   * What this node's record says of its Fulcrum for status on any node (review-s17ha F1, F6): another
   * organization than the database's, or its API token refused.
   */
  private Optional<String> fulcrumProblem() {
    return organization.differs().or(() -> ownToken.reason().map(why -> "its Fulcrum API token is refused: " + why));
  }

  /** Whether this node took the writer lease at start ({@link LeaseKeeper#hold()}): no other node leads. */
  private boolean holdsTheLease() {
    return writerLease.current().filter(h -> h.holder().equals(writerLease.me())).isPresent();
  }

  /**
   * Who holds the writer lease, by its node's address, for /healthz: the lease and the node records
   * read in one transaction, as a probe answered every few seconds should, within the lease's bound
   * (a database that does not answer fails the read, not the probe's caller after minutes).
   */
  private Optional<WriterNode> writer() {
    Duration ttl = config.ha().leaseTtl();
    return db.inOneRead(moment -> new WriterLease(moment, DatabaseClock.of(moment, clock), WriterLease.Role.DAEMON, ttl)
        .current().map(holder -> NodeTokens.writer(holder, new NodeTokens(moment, DatabaseClock.of(moment, clock)).live(ttl))),
        WriterLease.bound(ttl));
  }

  /** This node as {@link NodeTokens} names it: its host, and the port it takes SCIM requests on. */
  private String nodeAddress() {
    String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return runtime.substring(runtime.indexOf('@') + 1) + ":" + server.port();
  }

  /** What the bridge writes to, in words for logs and health endpoints. */
  public String target() {
    return config.fulcrum().embedded()
        ? "embedded Fulcrum emulator" + (emulator == null ? "" : " at " + emulator.baseUrl())
        : config.fulcrum().baseUrl();
  }

  /**
   * Stops accepting SCIM requests, lets the reconciler finish the apply in flight, then closes the
   * client, the emulator and the database: the reverse of start. Within {@link StopBudget#WHOLE} as a
   * whole (systemd kills a stop at TimeoutStopSec, 60 s; review-s13d 4), whatever the database or
   * Fulcrum do: each step waits at most what is left, and a step still under way when it runs out is
   * left, with what comes after it, to the process's exit. False when the stop was cut short so (each
   * WARN line says what it left, for the next start or the node that takes the writer lease over).
   */
  public boolean stop() {
    return stop(StopBudget.WHOLE);
  }

  /** {@link #stop()} within {@code whole}: a test's shorter bound shows the same steps keep to it. */
  boolean stop(Duration whole) {
    StopBudget budget = StopBudget.of(whole);
    Thread stopping = new Thread(() -> stopAll(budget), "bridge-stop");
    stopping.setDaemon(true);
    stopping.start();
    try {
      stopping.join(Math.max(1, budget.left().toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String under = stoppingNow;
    if (stopping.isAlive() && under != null) {
      log.warn("the stop's bound of {} ran out while stopping {}: it and what comes after it end with the process"
          + " (a writer lease not given up expires within ha.lease_ttl; this node's records age out)",
          DurationText.of(whole), under);
      return false;
    }
    return !cutShort;
  }

  private void stopAll(StopBudget budget) {
    while (!running.isEmpty()) {
      Step next = running.pop();
      stoppingNow = next.what();
      try {
        next.how().stop(budget);
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    stoppingNow = null;
  }

  /**
   * A step that waits for {@code what}, work under way that may call Fulcrum, within the part of the
   * stop's budget before its tail, so that the steps after it keep their time (review-s14c F7). Work
   * that has not ended by then (its statements or Fulcrum calls waiting on a peer that does not answer)
   * is left as a crash leaves it: {@code left} says how it is picked up.
   */
  private void waitsFor(String what, Predicate<Duration> ends, String left) {
    stops(what, budget -> {
      if (!ends.test(budget.beforeTail().left())) {
        cutShort = true;
        log.warn("the stop's bound ran out before {} ended: {}; {}", what, left, writerLease.shared()
            ? "the writer lease is left to expire (within ha.lease_ttl), not given up, as a call of it may still reach Fulcrum"
            : "this serve still gives its writer lease up (no other serve writes to this SQLite file)");
      }
    });
  }

  /** One thing {@link #stop} undoes: {@code what} names it in the line that says a stop ran out of time. */
  private record Step(String what, Stopping how) {}

  /** How a step is undone, within what is left of the stop's budget. */
  @FunctionalInterface
  private interface Stopping {
    void stop(StopBudget budget) throws Exception;
  }

  private void stops(String what, Stopping how) {
    running.push(new Step(what, how));
  }

  /** A step that takes no part of the budget: one still under way when it runs out is left to the exit. */
  private void closes(String what, AutoCloseable closeable) {
    stops(what, budget -> closeable.close());
  }

  /**
   * The token generated at this start because none was configured; never stored. Later starts
   * accept it only once {@link #claimGeneratedToken} kept its hash.
   */
  public Optional<String> generatedToken() {
    return generatedToken;
  }

  /**
   * Keeps the generated token's hash just before it is shown, so later starts accept it without
   * showing it again; empty when none was generated. When another node kept the one it generated
   * first, this node accepts that one from now on, and its own is never accepted again. Either way
   * the "SCIM tokens accepted" line is logged here, naming the token kept, not at start.
   */
  public Optional<GeneratedTokenClaim> claimGeneratedToken() {
    if (generatedToken.isEmpty()) {
      return Optional.empty();
    }
    String token = generatedToken.get();
    Optional<String> kept = ScimTokens.claim(new SettingStore(db), token);
    // generated only because nothing was configured at this start: the kept token is the one accepted
    kept.ifPresent(hash -> sayWhichTokens(new ScimTokens(List.of(), Optional.of(hash), Optional.empty())));
    Optional<String> others = kept.filter(hash -> !hash.equals(BearerTokens.sha256Hex(token)));
    if (others.isEmpty()) {
      return Optional.of(new GeneratedTokenClaim.Mine(token));
    }
    auth.replace(List.of(others.get()));
    generatedToken = Optional.empty();
    return Optional.of(new GeneratedTokenClaim.AnotherNodes(others.get()));
  }

  /** The claimed token could not be shown (stdout closed): its hash is not kept, so the next start shows a new one. */
  public void generatedTokenNotShown() {
    generatedToken.ifPresent(token -> ScimTokens.unclaim(new SettingStore(db), token));
  }

  public String scimBaseUrl() {
    return server.baseUrl();
  }

  public int port() {
    return server.port();
  }

  /** The embedded emulator, when {@code fulcrum.base_url} is {@code embedded} (demo, tests). */
  public Optional<FulcrumEmulator> emulator() {
    return Optional.ofNullable(emulator);
  }
}
