package com.fulcrumscim.fulcrum.emulator;

import com.fulcrumscim.fulcrum.emulator.Answer.Dropped;
import com.fulcrumscim.fulcrum.emulator.Answer.Reply;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every HTTP call, in Fulcrum's order of checks: added latency, injected faults, the token (401),
 * {@code Accept} (406), the per-token rate limit (429), then the endpoint. Each API call is
 * counted with the status it got. {@code /_emulator/*} skips all of that: it is the harness's door.
 */
final class EmulatorHttpHandler implements HttpHandler {
  private static final String ADMIN_PREFIX = "/_emulator/";

  private final ApiRoutes api;
  private final AdminRoutes admin;
  private final Faults faults;
  private final SlidingWindowLimiter limiter;
  private final CallCounter calls;
  private final Supplier<String> token;

  EmulatorHttpHandler(
      ApiRoutes api, AdminRoutes admin, Faults faults, SlidingWindowLimiter limiter, CallCounter calls, Supplier<String> token) {
    this.api = api;
    this.admin = admin;
    this.faults = faults;
    this.limiter = limiter;
    this.calls = calls;
    this.token = token;
  }

  @Override
  public void handle(HttpExchange ex) {
    try {
      Request req = Request.read(ex);
      Answer answer = req.path().startsWith(ADMIN_PREFIX) ? admin.handle(req) : apiCall(req);
      if (answer instanceof Reply reply) {
        write(ex, reply);
      }
    } catch (IOException e) {
      // The client went away mid-call; nothing to answer.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // Without a response sent, this closes the connection: a true dropped connection.
      ex.close();
    }
  }

  private Answer apiCall(Request req) throws InterruptedException {
    ApiRoutes.Route route = ApiRoutes.route(req.method(), req.path());
    Answer answer;
    calls.started(route.endpoint());
    try {
      faults.delay();
      answer = faults.before(route.endpoint()).orElseGet(() -> admitted(route, req));
      if (answer instanceof Reply && faults.loseResponse()) {
        answer = new Dropped();
      }
    } catch (RuntimeException e) {
      answer = Replies.json(500, Map.of("error", "emulator failure: " + e));
    } finally {
      calls.ended(route.endpoint());
    }
    calls.record(route.endpoint(), answer.status());
    return answer;
  }

  private Answer admitted(ApiRoutes.Route route, Request req) {
    if (req.token() == null || faults.tokenRevoked() || !sameToken(req.token(), token.get())) {
      return Replies.unauthorized();
    }
    if (req.accept() == null || !req.accept().contains("application/json")) {
      return Replies.notAcceptable();
    }
    Optional<Duration> wait = limiter.acquire(req.token());
    if (wait.isPresent()) {
      return Replies.tooManyRequests(wait.get());
    }
    return faults.instead(route.endpoint(), req.method()).orElseGet(() -> api.handle(route, req));
  }

  private static boolean sameToken(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(HttpExchange ex, Reply reply) throws IOException {
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (reply.body().length == 0) {
      ex.sendResponseHeaders(reply.status(), -1);
      return;
    }
    if (!reply.headers().containsKey("Content-Type")) {
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    }
    ex.sendResponseHeaders(reply.status(), reply.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(reply.body());
    }
  }
}
