package com.fulcrumscim.fulcrum;

import com.fulcrumscim.testing.SettableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Headers;

/**
 * A client wired to a MockWebServer with a settable clock: every pacing or backoff wait is
 * recorded and moves the clock instead of blocking, so tests run at full speed.
 */
final class ClientFixture implements AutoCloseable {
  static final String TOKEN = "tok-S3CRET-9f8e7d";

  /** One call the listener saw. */
  record Call(String endpoint, String status) {}

  final SettableClock clock = new SettableClock();
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final HttpFulcrumClient client;

  ClientFixture(MockWebServer server) {
    this(server, 3_600_000, Duration.ofSeconds(5));
  }

  ClientFixture(MockWebServer server, int callsPerHour, Duration readTimeout) {
    FulcrumSettings settings =
        FulcrumSettings.of(server.url("/").toString(), TOKEN, callsPerHour, Duration.ofSeconds(5), readTimeout);
    Sleeper sleeper = d -> {
      sleeps.add(d);
      clock.tick(d);
    };
    client = new HttpFulcrumClient(settings, registry, clock, sleeper,
        (endpoint, status, duration) -> calls.add(new Call(endpoint, status)));
  }

  static MockResponse json(int code, String body) {
    return new MockResponse(code, Headers.of("Content-Type", "application/json"), body);
  }

  /** The request arrives, then the socket closes before any answer: the server may have acted. */
  static MockResponse dropConnection() {
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
  }

  static MockResponse status(int code) {
    return new MockResponse(code, Headers.of(), "");
  }

  static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : request.getBody().utf8();
  }

  static String pathAndQuery(RecordedRequest request) {
    String query = request.getUrl().encodedQuery();
    return request.getUrl().encodedPath() + (query == null ? "" : "?" + query);
  }

  @Override
  public void close() {
    client.close();
  }
}
