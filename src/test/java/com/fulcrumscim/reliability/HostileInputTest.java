package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.RawHttp;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded corpus of malformed and hostile SCIM requests against the real server: no 5xx, the
 * server answers a valid request after every batch, and the stored state is exactly as before.
 */
class HostileInputTest {
  private static final Logger log = LoggerFactory.getLogger(HostileInputTest.class);
  static final int BATCH = 50;

  @TempDir Path dir;

  void corpus(long seed, int size) throws Exception {
    // Auth throttling would turn later requests into 429s; it has its own test (SecurityTest).
    ScimTestServer server = ScimTestServer.start(dir, "scim:\n  auth_failures_per_minute: 100000000\n", Clock.systemUTC());
    try {
      ScimHttp http = server.http();
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        users.add(http.post("/Users", Bodies.user("resident" + i + "@corp.example")).json().path("id").asText());
      }
      List<String> groups = List.of(http.post("/Groups", Bodies.group("Residents", users.get(0), users.get(1))).json().path("id").asText());
      StateFingerprint before = StateFingerprint.of(server.database());

      RawHttp raw = new RawHttp(server.baseUrl());
      HostileCorpus corpus = new HostileCorpus(seed, ScimTestServer.TOKEN, users, groups);
      Map<String, Integer> statuses = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < size; i++) {
        HostileCorpus.Request r = corpus.next();
        RawHttp.Response answer = raw.send(r.method(), r.target(), r.headers(), r.body());
        statuses.merge(answer.status() == -1 ? "closed" : Integer.toString(answer.status()), 1, Integer::sum);
        if (answer.status() >= 500 || answer.status() < 400 && !r.method().equals("GET")) {
          failures.add(answer.status() + " for " + r);
        }
        if (i % BATCH == BATCH - 1) {
          assertThat(http.get("/Users?count=1").status()).as("a valid request after request %d", i).isEqualTo(200);
        }
      }
      log.info("hostile corpus seed {}: {} requests in {} ms, statuses {}", seed, size,
          (System.nanoTime() - started) / 1_000_000, statuses);
      assertThat(failures).as("5xx answers, or hostile writes accepted").isEmpty();
      assertThat(http.get("/Users/" + users.get(0)).status()).isEqualTo(200);
      server.close();
      assertThat(StateFingerprint.of(server.database())).as("journal rows and desired state").isEqualTo(before);
    } finally {
      server.close();
    }
  }

  @Test
  void sixHundredHostileRequestsGetNo5xxAndChangeNothing() throws Exception {
    corpus(42, 600);
  }

  @Test
  @Tag("reliability")
  void tenThousandHostileRequestsGetNo5xxAndChangeNothing() throws Exception {
    corpus(4242, 10_000);
  }
}
