package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.testing.SettableClock;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed-auth throttling and the request size limit against the real server. */
class SecurityTest {
  static final int LIMIT = 5;

  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  ScimTestServer server;
  ScimHttp http;
  StateFingerprint before;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "server:\n  max_body_bytes: 8192\nscim:\n  auth_failures_per_minute: " + LIMIT + "\n",
        clock);
    http = server.http();
    http.post("/Users", Bodies.user("resident@corp.example"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawHttp.Response guess(RawHttp from, String token, Map<String, String> extraHeaders) throws Exception {
    Map<String, String> headers = new java.util.LinkedHashMap<>(extraHeaders);
    headers.put("Authorization", "Bearer " + token);
    headers.put("Content-Type", "application/scim+json");
    return from.send("POST", "/scim/v2/Users", headers, Bodies.user("intruder@evil.example").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void afterTheLimitOfFailuresAnAddressGets429ForEveryWrongTokenAndStoresNothingUntilTheWindowEnds() throws Exception {
    before = StateFingerprint.of(server.database());
    RawHttp attacker = new RawHttp(server.baseUrl(), InetAddress.getByName("127.0.0.2"));
    for (int i = 0; i < LIMIT; i++) {
      assertThat(guess(attacker, "guess-" + i, Map.of()).status()).isEqualTo(401);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(guess(attacker, "guess-more-" + i, Map.of()).status()).isEqualTo(429);
    }
    assertThat(guess(attacker, "guess-last", Map.of()).head()).containsIgnoringCase("Retry-After:");
    assertThat(http.get("/Users").status()).as("Okta, at another address, is not locked out").isEqualTo(200);

    clock.tick(Duration.ofSeconds(61));
    assertThat(guess(attacker, "guess-after-window", Map.of()).status()).as("a new window").isEqualTo(401);
    server.close();
    assertThat(StateFingerprint.of(server.database())).isEqualTo(before);
  }

  @Test
  void aValidTokenFromAnAddressOverTheLimitIsStillServed() throws Exception {
    // Okta and an attacker behind one reverse proxy share its address.
    InetAddress proxy = InetAddress.getByName("127.0.0.4");
    RawHttp attacker = new RawHttp(server.baseUrl(), proxy);
    for (int i = 0; i < 3 * LIMIT; i++) {
      guess(attacker, "guess-" + i, Map.of());
    }
    assertThat(guess(attacker, "guess-more", Map.of()).status()).as("the attacker").isEqualTo(429);
    RawHttp.Response okta = new RawHttp(server.baseUrl(), proxy).send("GET", "/scim/v2/Users",
        Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN), null);
    assertThat(okta.status()).as("Okta from the same address").isEqualTo(200);
    assertThat(guess(attacker, ScimTestServer.TOKEN, Map.of()).status()).as("a write with the valid token").isEqualTo(201);
  }

  @Test
  void aForgedForwardedForHeaderDoesNotEscapeTheThrottle() throws Exception {
    RawHttp attacker = new RawHttp(server.baseUrl(), InetAddress.getByName("127.0.0.3"));
    int refused = 0;
    for (int i = 0; i < 4 * LIMIT; i++) {
      Map<String, String> forged = Map.of("X-Forwarded-For", "10.0.0." + i, "Forwarded", "for=10.0.1." + i,
          "X-Real-IP", "10.0.2." + i);
      if (guess(attacker, "guess-" + i, forged).status() == 429) {
        refused++;
      }
    }
    assertThat(refused).as("guesses refused with 429 out of %d", 4 * LIMIT).isEqualTo(3 * LIMIT);
  }

  @Test
  void aBodyOverTheLimitIs413AndStoresNothingWhateverItsContentLengthSays() throws Exception {
    before = StateFingerprint.of(server.database());
    String big = Bodies.user("big@corp.example").replace("\"locale\":\"en-US\"", "\"locale\":\"" + "x".repeat(10_000) + "\"");
    assertThat(http.post("/Users", big).status()).isEqualTo(413);

    RawHttp raw = new RawHttp(server.baseUrl());
    byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
    Map<String, String> auth = Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN, "Content-Type", "application/scim+json");
    // Chunked: no Content-Length to refuse early on; the cap must hold while reading.
    StringBuilder chunked = new StringBuilder();
    for (int at = 0; at < bytes.length; at += 1000) {
      String chunk = new String(bytes, at, Math.min(1000, bytes.length - at), StandardCharsets.UTF_8);
      chunked.append(Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length)).append("\r\n").append(chunk).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    Map<String, String> chunkedHeaders = new java.util.LinkedHashMap<>(auth);
    chunkedHeaders.put("Transfer-Encoding", "chunked");
    assertThat(raw.sendUnframed("POST", "/scim/v2/Users", chunkedHeaders, chunked.toString().getBytes(StandardCharsets.UTF_8))
        .status()).isEqualTo(413);
    server.close();
    assertThat(StateFingerprint.of(server.database())).isEqualTo(before);
  }

  @Test
  void clientsTricklingBodiesDoNotStopOthersBeingServedAndAreCutOff() throws Exception {
    server.close();
    server = ScimTestServer.start(dir, "server:\n  body_read_timeout: 2s\n  max_concurrent_bodies: 4\n", clock);
    http = server.http();
    before = StateFingerprint.of(server.database());
    Map<String, String> headers = Map.of("Authorization", "Bearer " + ScimTestServer.TOKEN,
        "Content-Type", "application/scim+json");
    byte[] body = Bodies.user("slow@corp.example").getBytes(StandardCharsets.UTF_8);
    java.util.concurrent.ExecutorService slow = java.util.concurrent.Executors.newFixedThreadPool(40);
    try {
      java.util.List<java.util.concurrent.Future<RawHttp.Response>> trickles = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        trickles.add(slow.submit(() -> new RawHttp(server.baseUrl())
            .trickle("POST", "/scim/v2/Users", headers, body, Duration.ofMillis(300))));
      }
      Thread.sleep(500);
      for (int i = 0; i < 5; i++) {
        long started = System.nanoTime();
        assertThat(http.get("/Users?count=1").status()).as("a read while 40 uploads trickle").isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      }
      for (java.util.concurrent.Future<RawHttp.Response> t : trickles) {
        assertThat(t.get(30, java.util.concurrent.TimeUnit.SECONDS).status()).as("a trickling upload")
            .isIn(408, 503, -1);
      }
    } finally {
      slow.shutdownNow();
    }
    server.close();
    assertThat(StateFingerprint.of(server.database())).as("nothing a trickle sent was stored").isEqualTo(before);
  }
}
