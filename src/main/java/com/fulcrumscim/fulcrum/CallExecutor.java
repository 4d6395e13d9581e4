package com.fulcrumscim.fulcrum;

import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one {@link ApiCall}: circuit check, pacing, the HTTP exchange, classification, metrics.
 * Idempotent calls that end {@link FulcrumException.Unavailable} are tried again a few times with
 * exponential backoff and jitter; creates never are. Anything longer-lived belongs to the work
 * queue, which sees the typed exception.
 *
 * <p>A page that something in front of Fulcrum answered for it (an HTML 404 from a proxy or a WAF,
 * {@link FulcrumException.Unavailable#answeredInFront()}) is a rule there, not a passing fault: it
 * is not tried again within the call. It counts against the circuit only on a read. Every
 * reconcile starts with reads, so a front end that lost Fulcrum altogether (an ingress's default
 * 404 backend, a wrong route) fails them and opens the circuit as a Fulcrum that is down does; a
 * rule refusing one kind of write (a WAF against DELETE) says nothing of the calls that work, and
 * must not pause creates and reads with them. Such a write counts neither way.
 */
final class CallExecutor {
  private static final Logger log = LoggerFactory.getLogger(CallExecutor.class);
  private static final MediaType JSON = MediaType.get("application/json");

  /** A 2xx answer; {@code body} is "" when there was none. */
  record Answer(int status, String body) {}

  private final OkHttpClient http;
  private final HttpUrl baseUrl;
  private final ApiToken token;
  private final CallPacer pacer;
  private final BeforeSend beforeSend;
  private final Circuit circuit;
  private final Failures failures;
  private final CallMetrics metrics;
  private final Clock clock;
  private final Sleeper sleeper;
  private final int maxAttempts;
  private final IntervalFunction backoff;

  CallExecutor(
      OkHttpClient http, HttpUrl baseUrl, FulcrumSettings settings, CallPacer pacer, BeforeSend beforeSend,
      Circuit circuit, Failures failures, CallMetrics metrics, Clock clock, Sleeper sleeper) {
    this.http = http.newBuilder().addNetworkInterceptor(chain -> {
      Request request = chain.request();
      try {
        beforeSend.onWire(request.method() + " " + request.url().encodedPath());
      } catch (FulcrumException refused) {
        throw new NotSent(refused);
      }
      return chain.proceed(request);
    }).build();
    this.baseUrl = baseUrl;
    this.token = settings.apiToken();
    this.pacer = pacer;
    this.beforeSend = beforeSend;
    this.circuit = circuit;
    this.failures = failures;
    this.metrics = metrics;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxAttempts = settings.maxAttempts();
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(settings.firstBackoff(), 2.0, 0.5);
  }

  Answer execute(ApiCall call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return attempt(call);
      } catch (FulcrumException.Unavailable e) {
        if (!call.idempotent() || e.answeredInFront() || attempt >= maxAttempts || circuit.isOpen()) {
          throw e;
        }
        Duration wait = Duration.ofMillis(backoff.apply(attempt));
        log.debug("{} attempt {} of {} failed ({}); trying again in {} ms",
            call.endpoint(), attempt, maxAttempts, e.getMessage(), wait.toMillis());
        pause(call.endpoint(), wait);
      }
    }
  }

  private Answer attempt(ApiCall call) {
    String endpoint = call.endpoint();
    circuit.acquirePermission(endpoint);
    try {
      pacer.acquire(endpoint);
    } catch (InterruptedException e) {
      circuit.releasePermission();
      Thread.currentThread().interrupt();
      throw new FulcrumException.Unavailable(endpoint, "interrupted while waiting for the rate limit", e);
    } catch (FulcrumException.RateLimited e) {
      circuit.releasePermission();
      throw e;
    }
    try {
      // last, after any pacing wait: the fence and the shared budget are judged at the moment of sending
      beforeSend.check(endpoint);
    } catch (FulcrumException e) {
      circuit.releasePermission();
      if (e instanceof FulcrumException.RateLimited limited) {
        pacer.coolDown(limited.retryAfter(), limited.limit());
      }
      throw e;
    }
    long start = System.nanoTime();
    try (Response response = exchange(call)) {
      String body = response.body().string();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      metrics.record(endpoint, Integer.toString(response.code()), took);
      if (response.isSuccessful()) {
        circuit.onSuccess(took);
        return new Answer(response.code(), body);
      }
      FulcrumException failure =
          failures.classify(endpoint, response.code(), response.header("Retry-After"), body, clock.instant());
      if (failure instanceof FulcrumException.Unavailable u && u.answeredInFront() && !call.method().equals("GET")) {
        circuit.releasePermission(); // a rule in front against this write: no word on Fulcrum's health
      } else {
        circuit.onResult(took, failure);
      }
      if (failure instanceof FulcrumException.RateLimited limited) {
        log.info("{}: Fulcrum rate limit reached; pausing calls for {} s", endpoint, limited.retryAfter().toSeconds());
        pacer.coolDown(limited.retryAfter(), limited.limit());
        beforeSend.rateLimited(endpoint, limited.retryAfter());
      }
      throw failure;
    } catch (NotSent e) {
      circuit.releasePermission();
      throw e.refusal;
    } catch (IOException e) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      metrics.record(endpoint, Failures.transportStatus(e), took);
      FulcrumException.Unavailable failure = failures.transport(endpoint, e);
      circuit.onResult(took, failure);
      throw failure;
    }
  }

  /**
   * The HTTP exchange. A server or a proxy closes a kept-alive connection once it has been idle a
   * while (30 s for Jetty and the JDK's server, 60 s for an AWS ALB, 75 s for nginx), and OkHttp
   * looks closely at a pooled connection only before a method other than GET: a read after a pause
   * went out on one already closed and failed at once, and each attempt of the retry took the next
   * such one from the pool, so a resync after a quiet minute failed. A transport failure on a
   * reused connection therefore drops every idle connection (they went quiet together), and an
   * idempotent call that failed so, not by a timeout, is sent once more at once on a new one: no
   * attempt spent, nothing counted against the circuit, since it says nothing of Fulcrum, but
   * counted in the shared call budget as the call it may be (its answer lost, not its request). A
   * server that fails every request still fails the next, on a new connection, and that counts.
   * A create is never sent again: its request may have reached Fulcrum, and a second one would
   * invite twice; a timeout is not either, as it may be a slow Fulcrum, and waits its backoff.
   */
  private Response exchange(ApiCall call) throws IOException {
    Request request = request(call);
    ConnectionUse use = new ConnectionUse();
    try {
      return http.newCall(request.newBuilder().tag(ConnectionUse.class, use).build()).execute();
    } catch (NotSent e) {
      throw e;
    } catch (IOException e) {
      if (!use.reused()) {
        throw e;
      }
      http.connectionPool().evictAll();
      if (!call.idempotent() || e instanceof InterruptedIOException) {
        throw e;
      }
      log.debug("{}: a pooled connection failed ({}); sending it again on a new one", call.endpoint(), e.toString());
      // a call of its own: the failed one may have reached Fulcrum (its answer lost), and the shared
      // budget counts every call Fulcrum may have counted
      try {
        beforeSend.check(call.endpoint());
      } catch (FulcrumException refused) {
        throw new NotSent(refused);
      }
      return http.newCall(request).execute();
    }
  }

  /** {@link BeforeSend#onWire} refused the call: nothing was written, so it is no transport failure. */
  private static final class NotSent extends IOException {
    final FulcrumException refusal;

    NotSent(FulcrumException refusal) {
      super(refusal.getMessage(), refusal);
      this.refusal = refusal;
    }
  }

  private Request request(ApiCall call) {
    // Bytes, not a String: OkHttp would append "; charset=utf-8" to the contract's exact type.
    RequestBody body = call.body() == null ? null : RequestBody.create(call.body().getBytes(StandardCharsets.UTF_8), JSON);
    return new Request.Builder()
        .url(call.url(baseUrl))
        .header("X-ApiToken", token.value())
        .header("Accept", "application/json")
        .method(call.method(), body)
        .build();
  }

  private void pause(String endpoint, Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FulcrumException.Unavailable(endpoint, "interrupted while backing off", e);
    }
  }

  /**
   * The transport to {@code settings.baseUrl()}. Toward an {@code http://} URL (the emulator, on
   * loopback: a plain remote one is refused at config load) it speaks cleartext only, so OkHttp does
   * not read the JDK's CA certificates into a trust manager no call uses: about a seventh of
   * serve's main thread before ready (issue 12). Every call goes to that base URL, and redirects
   * are never followed, so no call of this client ever needs TLS then. Toward {@code https://} it
   * is built as it always was, trust store and all, at start.
   */
  static OkHttpClient okHttp(FulcrumSettings settings) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    if (!HttpUrl.get(settings.baseUrl()).isHttps()) {
      builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
    }
    return builder
        .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        // Retries are ours, and only for idempotent calls; a silent transport retry of a POST could duplicate.
        .retryOnConnectionFailure(false)
        // A redirect means a wrong base URL; following it could carry the token to another host.
        .followRedirects(false)
        .followSslRedirects(false)
        .eventListenerFactory(ConnectionUse.FACTORY)
        .build();
  }
}
