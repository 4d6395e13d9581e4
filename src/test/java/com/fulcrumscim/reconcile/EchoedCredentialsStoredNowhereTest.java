package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fulcrum (or a proxy in front of it) answers a create with an error body that echoes foreign
 * credentials: an Authorization header, a bearer token, an API key, a password, a cookie. None of
 * them lands anywhere: not the work row's last error (which `status` and `journal` print), not the
 * audit rows (`audit`), not a log line.
 */
class EchoedCredentialsStoredNowhereTest extends EndToEnd {
  static final List<String> SECRETS = List.of("eyJforeign.bearer-tok", "Zm9yZWlnbjpzZWNyZXQ=", "foreign-api-key-123",
      "hunter2-foreign", "sess-cookie-777");

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @StartStop final MockWebServer proxy = new MockWebServer();
  private final OkHttpClient forwarder = new OkHttpClient();

  /** In front of the emulator: passes every call on, but answers member creates with the echoing error. */
  private HttpFulcrumClient clientThroughAnEchoingProxy() {
    proxy.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getMethod().equals("POST") && request.getUrl().encodedPath().endsWith("/memberships.json")) {
          return new MockResponse(422, Headers.of("Content-Type", "application/json"), "{\"errors\":[\"refused; request had"
              + " Authorization: Basic Zm9yZWlnbjpzZWNyZXQ=, Bearer eyJforeign.bearer-tok, X-Api-Key: foreign-api-key-123,"
              + " Cookie: sess-cookie-777\"],\"user\":{\"password\":\"hunter2-foreign\"}}");
        }
        return forward(request);
      }
    });
    FulcrumSettings settings = new FulcrumSettings(proxy.url("/").toString(),
        new com.fulcrumscim.fulcrum.ApiToken(ReconcileHarness.TOKEN), 3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(5),
        FulcrumSettings.MAX_PAGE_SIZE, 3, Duration.ofMillis(500), Duration.ofSeconds(30));
    return new HttpFulcrumClient(settings, new SimpleMeterRegistry(), h.clock, h.clock::tick, FulcrumCallListener.NONE);
  }

  private MockResponse forward(RecordedRequest request) {
    String query = request.getUrl().encodedQuery();
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    boolean hasBody = !request.getMethod().equals("GET") && !request.getMethod().equals("DELETE") || body.length > 0;
    Request.Builder out = new Request.Builder()
        .url(h.fulcrum.baseUrl().replaceAll("/$", "") + request.getUrl().encodedPath() + (query == null ? "" : "?" + query))
        .method(request.getMethod(), hasBody ? RequestBody.create(body, MediaType.get("application/json")) : null);
    request.getHeaders().forEach(header -> {
      if (!header.getFirst().equalsIgnoreCase("Host") && !header.getFirst().equalsIgnoreCase("Content-Length")) {
        out.header(header.getFirst(), header.getSecond());
      }
    });
    try (Response answer = forwarder.newCall(out.build()).execute()) {
      return new MockResponse(answer.code(), answer.headers(), answer.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> auditResults() {
    return h.db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT result, COALESCE(detail, '') FROM reconcile_audit");
          ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2));
        }
        return out;
      }
    });
  }

  @Test
  void credentialsFulcrumEchoesInAnErrorReachNoRowAndNoLogLine() {
    start();
    HttpFulcrumClient echoing = clientThroughAnEchoingProxy();
    try {
      h.restart(echoing);
      String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
      h.settle();

      String lastError = h.row(ResourceKey.user(ada)).lastError();
      assertThat(h.row(ResourceKey.user(ada)).state()).isEqualTo(WorkState.DEAD);
      assertThat(lastError).contains("refused; request had Authorization: <redacted>");
      assertThat(auditResults()).anyMatch(r -> r.startsWith("failed: ") && r.contains("<redacted>"));
      List<String> texts = new ArrayList<>(auditResults());
      texts.add(lastError);
      logs.events().stream().map(ILoggingEvent::getFormattedMessage).forEach(texts::add);
      logs.events().stream().filter(e -> e.getThrowableProxy() != null).map(e -> e.getThrowableProxy().getMessage())
          .forEach(texts::add);
      assertThat(texts).allSatisfy(text -> assertThat(SECRETS).noneMatch(String.valueOf(text)::contains));
    } finally {
      h.restart(h.http);
      echoing.close();
    }
  }
}
