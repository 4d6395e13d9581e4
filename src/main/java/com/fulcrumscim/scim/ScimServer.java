package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseException;
import com.fulcrumscim.db.DatabaseUnavailableException;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.db.SchemaVersionException;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.IntakeRejected;
import com.fulcrumscim.journal.IntakeStalled;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.LinesPerMinute;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.StallWatch;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.scim.patch.PatchApplier;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCIM 2.0 endpoint at {@value #BASE_PATH}: authentication, routing, and one place that
 * turns every failure into a SCIM error body. Client mistakes are 4xx; a 500 means a bug here.
 */
public final class ScimServer {
  public static final String BASE_PATH = "/scim/v2";
  /** A user's path, lower case (routes are case-insensitive), before its id. */
  private static final String USERS_PATH = (BASE_PATH + "/Users/").toLowerCase(Locale.ROOT);
  private static final Logger log = LoggerFactory.getLogger(ScimServer.class);
  /** Characters of a request path a log line keeps. */
  private static final int MAX_LOGGED_PATH = 200;
  /** WARN lines a minute for writes to ids the bridge does not know; the rest are counted only. */
  static final int UNKNOWN_ID_WARNINGS_PER_MINUTE = 20;

  /** The parts of config.yml the endpoint reads. */
  public record Settings(String host, int port, long maxBodyBytes, int maxPageSize, int authFailuresPerMinute,
      boolean https, String publicUrl, Duration bodyReadTimeout, int maxConcurrentBodies) {
    public static Settings of(BridgeConfig c) {
      return new Settings(c.server().host(), c.server().port(), c.server().maxBodyBytes(), c.scim().maxPageSize(),
          c.scim().authFailuresPerMinute(), c.server().tls().enabled(), c.server().publicUrl(),
          c.server().bodyReadTimeout(), c.server().maxConcurrentBodies());
    }
  }

  private final Settings settings;
  private final BearerAuth auth;
  private final AuthThrottle throttle;
  private final ScimResponses responses;
  private final ResourceEndpoints users;
  private final ResourceEndpoints groups;
  private final DiscoveryEndpoints discovery;
  private final LinesPerMinute unknownIdWarnings;
  private final JettyErrors jettyErrors;
  private final Database db;
  private final JournalStore journal = new JournalStore();
  private Javalin app;
  private Server jetty;
  private volatile boolean refusing;

  public ScimServer(Settings settings, BearerAuth auth, Database db, Intake intake, UserStore userStore,
      GroupStore groupStore, ResourceNormalizer normalizer, ObjectMapper json, Clock clock) {
    this.settings = settings;
    this.auth = auth;
    this.db = db;
    this.throttle = new AuthThrottle(settings.authFailuresPerMinute(), clock);
    this.responses = new ScimResponses(json, new RequestBodies(json, settings.maxBodyBytes(), settings.bodyReadTimeout(),
        settings.maxConcurrentBodies()), settings.publicUrl());
    ResourceLister lister = new ResourceLister(db, new PageCursors());
    PatchApplier patcher = new PatchApplier(normalizer);
    this.users = new ResourceEndpoints(ResourceKind.users(userStore, normalizer), responses, db, intake, lister, patcher,
        settings.maxPageSize());
    this.groups = new ResourceEndpoints(ResourceKind.groups(groupStore, normalizer), responses, db, intake, lister,
        patcher, settings.maxPageSize());
    this.discovery = new DiscoveryEndpoints(responses, settings.maxPageSize(), settings.maxBodyBytes());
    this.unknownIdWarnings = new LinesPerMinute(UNKNOWN_ID_WARNINGS_PER_MINUTE, clock);
    this.jettyErrors = new JettyErrors(responses.json(), clock);
  }

  /** Binds and starts serving; {@code server.port} 0 picks a free port (tests). */
  public ScimServer start() {
    return start(cfg -> {}, cfg -> {});
  }

  /**
   * As {@link #start()}, letting the daemon add to the same Javalin: {@code first} ahead of the
   * endpoint's handlers (metrics, an HTTPS connector, which then replaces the plain one), {@code
   * last} after its routes (the ops routes).
   */
  public ScimServer start(Consumer<JavalinConfig> first, Consumer<JavalinConfig> last) {
    app = Javalin.create(cfg -> {
      httpStack(cfg, settings);
      cfg.jetty.modifyServer(server -> {
        server.setErrorHandler(jettyErrors);
        // Counts the requests being served, so that the stop answers them before it closes their
        // connections (review-s17ha F3); Javalin puts its handler inside this one.
        server.setHandler(new GracefulHandler());
        jetty = server;
      });
      cfg.router.javaLangErrorHandler((res, error) -> log.error("request failed with {}", error.toString(), error));
      // First: before-handlers run in order, and the daemon's request timing must include authentication.
      first.accept(cfg);
      routes(cfg.routes);
      // Last: Javalin tries every route added before a request's own, a regular expression each, at every request.
      last.accept(cfg);
    });
    app.start();
    return this;
  }

  /**
   * The HTTP stack as the endpoint runs it, routes aside: the benchmark's empty-handler floor server
   * uses this too, so the bridge is compared with the same Jetty and Javalin settings.
   */
  public static void httpStack(JavalinConfig cfg, Settings settings) {
    JettyCacheLine.tellJetty();
    cfg.startup.showJavalinBanner = false;
    cfg.jetty.host = settings.host();
    cfg.jetty.port = settings.port();
    cfg.http.maxRequestSize = settings.maxBodyBytes();
    // RFC 7644 names endpoints /Users and /Groups, but some clients (and admins typing URLs) send /users
    cfg.router.caseInsensitiveRoutes = true;
    cfg.requestLogger.http(ScimServer::logRequest);
  }

  private void routes(RoutesConfig r) {
    r.before(ScimResponses::assignRequestId);
    r.before(BASE_PATH + "/*", this::refuseWhileStopping);
    r.before(BASE_PATH + "/*", this::authenticate);
    // RFC 9110 §15.3.5, §15.4.5: a 204 or 304 has no content, so no Content-Type either (strict JAX-RS
    // clients fail on text/plain)
    r.after(BASE_PATH + "/*", ctx -> {
      if (ctx.statusCode() == 204 || ctx.statusCode() == 304) {
        ctx.res().setContentType(null);
      }
    });
    PathRoutes paths = new PathRoutes(r);
    // Javalin tries the paths in this order, each a regular expression, at every request: the
    // resources first, as Okta and Entra send almost nothing else.
    for (ResourceEndpoints e : new ResourceEndpoints[] {users, groups}) {
      String path = BASE_PATH + e.path();
      paths.add(path, Map.of(HandlerType.POST, e::create, HandlerType.GET, e::list));
      // Before /Users/{id}, which would read .search as an id.
      paths.add(path + "/.search", Map.of(HandlerType.POST, ScimServer::searchNotImplemented));
      paths.add(path + "/{id}", Map.of(HandlerType.GET, e::get, HandlerType.PUT, e::replace, HandlerType.PATCH, e::patch,
          HandlerType.DELETE, e::delete));
    }
    paths.add(BASE_PATH + "/.search", Map.of(HandlerType.POST, ScimServer::searchNotImplemented));
    paths.add(BASE_PATH + "/ServiceProviderConfig", Map.of(HandlerType.GET, discovery::serviceProviderConfig));
    paths.add(BASE_PATH + "/ResourceTypes", Map.of(HandlerType.GET, discovery::resourceTypes));
    paths.add(BASE_PATH + "/ResourceTypes/{name}", Map.of(HandlerType.GET, discovery::resourceType));
    paths.add(BASE_PATH + "/Schemas", Map.of(HandlerType.GET, discovery::schemas));
    paths.add(BASE_PATH + "/Schemas/{urn}", Map.of(HandlerType.GET, discovery::schema));
    r.exception(ScimException.class, (e, ctx) -> responses.error(ctx, e));
    r.exception(IntakeRejected.class, (e, ctx) -> rejected(ctx, e));
    r.exception(IntakeStalled.class, this::stalled);
    r.exception(HttpResponseException.class, (e, ctx) -> responses.error(ctx, new ScimException(e.getStatus(), null,
        e.getStatus() == 404 ? "no such endpoint: " + ctx.method() + " " + ctx.path() : e.getMessage())));
    // The writer stopped or the store is closing: nothing the client sent is wrong, and the same
    // request may succeed later (after a restart), which a 500 would not tell Okta.
    r.exception(DatabaseUnavailableException.class, (e, ctx) -> unavailable(ctx, e,
        "the bridge cannot store changes now; the server log has details"));
    // A newer release migrated the database under this node: another node (upgraded) stores the
    // change. Said at ERROR once when found (Database), not at each request.
    r.exception(SchemaVersionException.class, (e, ctx) -> responses.error(ctx, new ScimException(503, null,
        "this node stores no changes: " + e.getMessage() + " (request id " + ScimResponses.requestId(ctx) + ")")));
    // Other writes of the same users and groups kept winning until the database stopped running this
    // one again: it was rolled back whole, and the same request may succeed when sent again.
    r.exception(DatabaseException.class, (e, ctx) -> {
      if (Dialect.isWriteConflict(e)) {
        unavailable(ctx, e, "the change met concurrent changes of the same users or groups at every attempt "
            + "and was not stored; send it again");
      } else {
        internalError(ctx, e);
      }
    });
    r.exception(Exception.class, (e, ctx) -> internalError(ctx, e));
  }

  /**
   * RFC 7644 §3.4.3's search by POST: neither Okta nor Entra sends it (okta-scim.md), and a GET with
   * a filter asks the same; 501 as RFC 7644 §3.12 says for a feature not implemented.
   */
  private static void searchNotImplemented(Context ctx) {
    throw new ScimException(501, null, "POST .search (RFC 7644 section 3.4.3) is not implemented: query with GET and a"
        + " filter instead, e.g. GET " + BASE_PATH + "/Users?filter=userName eq \"ada@example.com\"");
  }

  /** 503 with Retry-After (see {@link ScimResponses#error}) and one WARN line: nothing the client sent is wrong. */
  private void unavailable(Context ctx, Exception e, String detail) {
    log.warn("request {} {} (request id {}) answered 503: {}", ctx.method(), loggedPath(ctx), ScimResponses.requestId(ctx),
        e.getMessage());
    responses.error(ctx, new ScimException(503, null, detail + " (request id " + ScimResponses.requestId(ctx) + ")"));
  }

  /**
   * This node stood still while the request waited (or stopped serving with it under way): the client
   * may have given up and sent a later change through another node, which this one must not undo
   * ({@link StallWatch}). Nothing was stored. A user's deactivation or delete so refused leaves the
   * person their access until the identity provider sends it again, and Okta does not by itself: its
   * line says so (review-s17d F4). Retry-After outlasts the grace, else a client coming back to this
   * node as told is refused again.
   */
  private void stalled(IntakeStalled e, Context ctx) {
    String detail = "this node stood still while the request waited, or is stopping, and stored nothing of it; send it"
        + " again (request id " + ScimResponses.requestId(ctx) + ")";
    Optional<Deprovisioning> deprovisioning = Deprovisioning.of(ctx);
    if (deprovisioning.isPresent()) {
      log.warn("SCIM {} {} (request id {}) answered 503: {}. This request {}: it was not stored and does not reach"
          + " Fulcrum, so the person keeps their access in Fulcrum until the identity provider sends it again (Okta: a"
          + " failed task); retry it", ctx.method(), TerminalText.oneLine(loggedPath(ctx)), ScimResponses.requestId(ctx),
          TerminalText.oneLine(e.getMessage()), TerminalText.oneLine(deprovisioning.get().describe(ctx.pathParam("id"))));
      responses.error(ctx, new ScimException(503, null, detail));
    } else {
      unavailable(ctx, e, detail);
    }
    ctx.header("Retry-After", Long.toString(StallWatch.GRACE.toSeconds() + 1));
  }

  private void internalError(Context ctx, Exception e) {
    log.error("request {} {} (request id {}) failed", ctx.method(), loggedPath(ctx), ScimResponses.requestId(ctx), e);
    responses.error(ctx, new ScimException(500, null,
        "internal error; the server log has details under request id " + ScimResponses.requestId(ctx)));
  }

  /**
   * A PUT, PATCH or DELETE of an id the bridge does not know (intake reads no other id) is answered
   * 404, as SCIM says; yet the identity provider only writes to ids the bridge gave it, and never
   * reissued, so the bridge lost that state (a restore from an older backup, a wrong storage.path).
   * The change does not reach Fulcrum: a deactivation so refused leaves the person their access, and
   * Okta shows no more than a failed task. A WARN line each, within a share a minute (the rest are
   * only counted, as fulcrum_scim_unknown_id_writes_total counts them all), but for a user's
   * deactivation or delete ({@link Deprovisioning}): its line names what it did and is never held
   * back, as it is the one list of people to check by hand after such a loss.
   */
  private void rejected(Context ctx, IntakeRejected e) {
    if (e.reason() == IntakeRejected.Reason.NOT_FOUND) {
      Optional<Deprovisioning> deprovisioning = Deprovisioning.of(ctx);
      if (deprovisioning.isPresent()) {
        log.warn("SCIM {} {} (request id {}) answered 404: {}. This request {}, an id the bridge does not have: the"
            + " database lost it (restored from an older backup, a wrong storage.path) or the user is deleted already."
            + " It does not reach Fulcrum: if the person is still there they keep their access; check them in Fulcrum"
            + " and deactivate them by hand (README, Backup and restore)", ctx.method(),
            TerminalText.oneLine(loggedPath(ctx)), ScimResponses.requestId(ctx), TerminalText.oneLine(e.getMessage()),
            TerminalText.oneLine(deprovisioning.get().describe(ctx.pathParam("id"))));
      } else if (isGroup(ctx)) {
        groupNotFound(ctx, e);
      } else {
        unknownId(ctx, e, "The identity provider writes to an id the bridge does not have: the database lost it (restored"
            + " from an older backup, a wrong storage.path) or the resource is deleted already. The change does not reach"
            + " Fulcrum; a deactivation refused so leaves the person their access: check them in Fulcrum (README, Backup"
            + " and restore)");
      }
    }
    responses.error(ctx, ScimException.of(e));
  }

  /**
   * A write to a group id the bridge does not have. One deleted here already (its newest journal entry
   * a DELETE) is the identity provider repeating itself (Entra's validator deletes a group twice, and
   * Entra retries): an INFO line. Any other is state lost, a WARN within the unknown-id lines' share,
   * worded for a group: what it keeps in Fulcrum is its members' access (review-s15a F3).
   */
  private void groupNotFound(Context ctx, IntakeRejected e) {
    String id = ctx.pathParam("id");
    Optional<Instant> deleted = db.read(c -> journal.deletedAt(c, ResourceKey.group(id)));
    if (deleted.isPresent()) {
      log.info("SCIM {} {} (request id {}) answered 404: group {} was deleted here at {} (the identity provider sends"
          + " again what it sent, as Entra's validator and its retries do); nothing to change", ctx.method(),
          TerminalText.oneLine(loggedPath(ctx)), ScimResponses.requestId(ctx), TerminalText.oneLine(id), deleted.get());
      return;
    }
    unknownId(ctx, e, "The identity provider writes to a group the bridge does not have: the database lost it (restored"
        + " from an older backup, a wrong storage.path). The change does not reach Fulcrum: people it takes out of the"
        + " group keep the access the group gives there, and a group it deletes stays; check the group in Fulcrum"
        + " (README, Backup and restore)");
  }

  /** The WARN line of a write to an unknown id ({@code what}: what it means), within a share a minute. */
  private void unknownId(Context ctx, IntakeRejected e, String what) {
    switch (unknownIdWarnings.take()) {
      case LOG -> log.warn("SCIM {} {} (request id {}) answered 404: {}. {}", ctx.method(),
          TerminalText.oneLine(loggedPath(ctx)), ScimResponses.requestId(ctx), TerminalText.oneLine(e.getMessage()), what);
      case LIMIT_REACHED -> log.warn("more than {} SCIM writes to unknown ids in a minute: the rest of this minute's"
          + " are not logged, only counted in fulcrum_scim_unknown_id_writes_total (a user's deactivation or delete"
          + " is logged each time)", UNKNOWN_ID_WARNINGS_PER_MINUTE);
      case QUIET -> { }
    }
  }

  /**
   * Once the node is stopping ({@link #refuseNewRequests}), a SCIM change is refused before it reads or
   * stores anything; a read is still answered, as the database stays open until the port closes
   * (review-s17d F3). A user's change so refused may be a deactivation: the WARN of one refused before
   * its body is read.
   */
  private void refuseWhileStopping(Context ctx) {
    if (!refusing || ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD) {
      return;
    }
    String detail = "this node is stopping and takes no new changes; send it again (to another node, or to this one"
        + " once it is back)";
    String path = ctx.path();
    if (path.toLowerCase(Locale.ROOT).startsWith(USERS_PATH) && (ctx.method() == HandlerType.PUT
        || ctx.method() == HandlerType.PATCH || ctx.method() == HandlerType.DELETE)) {
      ResourceEndpoints.warnRefusedBeforeRead(ctx.method().name(), path.substring(USERS_PATH.length()),
          ScimResponses.requestId(ctx), 503, detail);
    }
    throw new ScimException(503, null, detail);
  }

  /**
   * The first step of a stop: SCIM changes not yet begun are refused (503, Retry-After), nothing
   * stored, reads still answered; those under way go on, and {@link #stop(Duration)} answers them
   * before the port closes.
   */
  public void refuseNewRequests() {
    refusing = true;
  }

  /**
   * Only failures are throttled: a valid token is always served, so a stranger failing from the
   * address Okta shares with others (a reverse proxy) cannot lock Okta out.
   */
  private void authenticate(Context ctx) {
    if (auth.accepts(ctx.header("Authorization"))) {
      return;
    }
    String address = ctx.ip();
    long wait = throttle.blockedForSeconds(address);
    if (wait > 0) {
      AuthRefusal.THROTTLED.markOn(ctx);
      ctx.header("Retry-After", Long.toString(wait));
      throw new ScimException(429, null, "too many failed authentications from " + address + "; retry in " + wait + " s");
    }
    boolean limitReached = throttle.failed(address);
    String authorization = ctx.header("Authorization");
    AuthRefusal refusal = authorization != null && BearerAuth.isBearer(authorization) ? AuthRefusal.WRONG_TOKEN : AuthRefusal.NO_TOKEN;
    refusal.markOn(ctx);
    // never the token itself: a wrong one may be a real one pasted into the wrong place
    log.warn("SCIM authentication failed from {}: {} on {} {}", address, authorization == null ? "no Authorization header"
        : refusal == AuthRefusal.NO_TOKEN ? "not a bearer token" : "token not accepted", ctx.method(), loggedPath(ctx));
    if (limitReached) {
      log.warn("SCIM authentication failures from {} refused (429) for the rest of the minute; each is counted in "
          + "fulcrum_scim_auth_failures_total, not logged", address);
    }
    ctx.header("WWW-Authenticate", "Bearer realm=\"fulcrum-scim\"");
    throw ScimException.unauthorized("missing or invalid bearer token (send Authorization: Bearer <token>)");
  }

  /**
   * A line per failed request, except those of unauthenticated clients: a 401 has its WARN line
   * (authenticate) and a 429 for failed authentications one per throttled minute, so a stranger's
   * flood writes neither twice nor without bound.
   *
   * <p>A refused group PUT or PATCH is a WARN: Okta's (and Entra's) are membership pushes, and Okta
   * does not send a failed one again, so the people it took out of the group keep their access in
   * Fulcrum until the group is pushed again. The line says so with the request id, for whoever
   * looks for it in the identity provider's tasks. A 404 has its own WARN (an id the bridge does not have); a 405
   * ({@code /Groups/.search}) is no group.
   */
  private static void logRequest(Context ctx, Float ms) {
    int status = ctx.statusCode();
    if (status >= 400 && status != 401 && status != 404 && status != 405 && status != 429 && isGroupChange(ctx)) {
      log.warn("{} {} -> {} in {} ms (request id {}): a group change was refused; people it took out of the group"
          + " keep their access until the identity provider sends it again (push the group again)", ctx.method(),
          loggedPath(ctx), status, Math.round(ms), ScimResponses.requestId(ctx));
    } else if (status >= 400 && status != 401 && status != 429) {
      log.info("{} {} -> {} in {} ms (request id {})", ctx.method(), loggedPath(ctx), status, Math.round(ms),
          ScimResponses.requestId(ctx));
    } else if (log.isDebugEnabled()) {
      log.debug("{} {} -> {} in {} ms (request id {})", ctx.method(), loggedPath(ctx), status, Math.round(ms),
          ScimResponses.requestId(ctx));
    }
  }

  /** A PUT or PATCH of one group. */
  private static boolean isGroupChange(Context ctx) {
    String method = ctx.method().name();
    return (method.equals("PUT") || method.equals("PATCH")) && isGroup(ctx);
  }

  /** A request to one group (endpoint names match in any case, as the routes do). */
  private static boolean isGroup(Context ctx) {
    return ctx.path().toLowerCase(Locale.ROOT).startsWith(BASE_PATH.toLowerCase(Locale.ROOT) + "/groups/");
  }

  /** The request's path as logged: a client chooses it, and one of 8 KB would make each line 8 KB. */
  private static String loggedPath(Context ctx) {
    String path = ctx.path();
    return path.length() <= MAX_LOGGED_PATH ? path : path.substring(0, MAX_LOGGED_PATH) + "...(" + path.length() + " characters)";
  }

  /** The route template of the endpoint {@code ctx} is for, whether or not a before-handler refused it. */
  public Optional<String> routeOf(Context ctx) {
    return app.unsafe.internalRouter.findHttpHandlerEntries(ctx.method(), ctx.path()).stream()
        .findFirst().map(entry -> entry.endpoint.path);
  }

  public int port() {
    return app.port();
  }

  /** The SCIM base URL for people: http://host:port/scim/v2. */
  public String baseUrl() {
    return (settings.https() ? "https://" : "http://") + settings.host() + ":" + port() + BASE_PATH;
  }

  /** Stops at once: requests under way are cut (tests, a start that failed). */
  public void stop() {
    stop(Duration.ZERO);
  }

  /**
   * Stops accepting connections, answers the requests under way (new ones on open connections get
   * 503) for at most {@code drain}, then closes the port: a request that committed is answered
   * rather than cut with its change stored (review-s17ha F3).
   */
  public void stop(Duration drain) {
    if (app != null) {
      jetty.setStopTimeout(drain.toMillis());
      app.stop();
    }
  }
}
