package com.fulcrumscim.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.db.Database;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /healthz} (the process answers; whether the reconciler runs or is paused, and whether this
 * node is the one that reconciles), {@code /readyz}
 * (can accept SCIM changes: the database is writable)
 * and {@code /metrics} (Prometheus text). Either added to the SCIM server's Javalin config, or
 * served on their own port ({@code server.ops_port}) so scrapers never need the SCIM port.
 * None of them needs a bearer token: keep them out of the SCIM auth filter.
 */
public final class OpsEndpoints {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Readiness readiness;
  private final OpsStore store;
  private final PrometheusMeterRegistry registry;
  private final String target;
  private final BooleanSupplier leader;
  private final Supplier<Optional<String>> ownTokenRefused;
  private final Supplier<Optional<String>> otherOrganization;
  private final Supplier<Optional<WriterNode>> writer;

  /**
   * {@code target}: what the bridge writes to, e.g. "embedded Fulcrum emulator" or Fulcrum's URL;
   * {@code leader}: whether this node holds the writer lease (of several nodes, one does).
   */
  public OpsEndpoints(Readiness readiness, OpsStore store, PrometheusMeterRegistry registry, String target,
      BooleanSupplier leader) {
    this(readiness, store, registry, target, leader, Optional::empty, Optional::empty, null);
  }

  /**
   * {@code ownTokenRefused}: why Fulcrum refused this node's own API token, if it did. A standby
   * with a wrong token applies nothing and the shared pause shows only the leader's: without it,
   * its /healthz said "running" until it led and paused (review-s11b). {@code writer}: who holds the
   * writer lease now (a database read), so an operator finds the writer from any node; null where no
   * lease is kept (a receiver alone). {@code otherOrganization}: why this node's token is in another
   * Fulcrum organization than the database's links, if it is: it never leads (review-s17ha F1).
   */
  public OpsEndpoints(Readiness readiness, OpsStore store, PrometheusMeterRegistry registry, String target,
      BooleanSupplier leader, Supplier<Optional<String>> ownTokenRefused, Supplier<Optional<String>> otherOrganization,
      Supplier<Optional<WriterNode>> writer) {
    this.ownTokenRefused = ownTokenRefused;
    this.otherOrganization = otherOrganization;
    this.writer = writer;
    this.target = target;
    this.leader = leader;
    this.readiness = readiness;
    this.store = store;
    this.registry = registry;
  }

  /** Adds the three routes to a Javalin being configured. */
  public void addTo(JavalinConfig cfg) {
    cfg.routes.get("/healthz", ctx -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "ok");
      body.put("target", target);
      body.put("reconciler", reconciler());
      body.put("leader", leader.getAsBoolean());
      writer(body);
      ownTokenRefused.get().ifPresent(why -> body.put("fulcrum_token", "refused on this node: " + why));
      otherOrganization.get().ifPresent(why -> body.put("fulcrum_organization", why));
      json(ctx, 200, body);
    });
    cfg.routes.get("/readyz", this::readyz);
    cfg.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
  }

  /** A Javalin of its own on {@code host:port} (port 0 picks a free one); the caller stops it. */
  public Javalin startStandalone(String host, int port) {
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      addTo(cfg);
    }).start(host, port);
  }

  /**
   * The process is alive even when the database is not: say so here, within a probe's bound (a
   * database that drops every packet would hold this read for minutes), and let /readyz fail.
   */
  private String reconciler() {
    try {
      return store.pauseReason(Database.PROBE_BOUND).map(reason -> "paused: " + reason).orElse("running");
    } catch (RuntimeException e) {
      return "unknown: " + e.getMessage();
    }
  }

  /** {@code writer}: the lease holder's node, "none", or "unknown: ..." when the database did not answer; {@code writer_since}. */
  private void writer(Map<String, Object> body) {
    if (writer == null) {
      return;
    }
    try {
      Optional<WriterNode> holder = writer.get();
      body.put("writer", holder.map(WriterNode::name).orElse("none"));
      holder.ifPresent(h -> body.put("writer_since", h.since().toString()));
    } catch (RuntimeException e) {
      body.put("writer", "unknown: " + e.getMessage());
    }
  }

  private void readyz(Context ctx) throws Exception {
    Readiness.Verdict verdict = readiness.check();
    Map<String, String> body = new LinkedHashMap<>();
    body.put("status", verdict.ready() ? "ready" : "not ready");
    body.put("target", target);
    verdict.reason().ifPresent(reason -> body.put("reason", reason));
    json(ctx, verdict.ready() ? 200 : 503, body);
  }

  private static void json(Context ctx, int status, Object body) throws Exception {
    ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
  }
}
