package com.fulcrumscim.app;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the daemon (SIGKILL) in the middle of a stream of writes from several clients, restarts
 * it on the same file, and finds every write that was acknowledged with a 201.
 */
class CrashTest {
  static final String TOKEN = "crash-test-token-8e3b1f7a9c2d4e6f05";
  static final int WRITERS = 4;
  /**
   * Acknowledged writes before the kill. What the kill can lose is the writes in flight around it
   * (one per writer) and those acknowledged just before; fifty keeps several generations of them
   * behind the kill, as two hundred did, at a quarter of the writing.
   */
  static final int ACKNOWLEDGED_BEFORE_KILL = 50;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesAKill() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "server:\n  port: " + BridgeProcess.freePort() + "\nstorage:\n  path: " + dir.resolve("crash.db") + "\n");
    BridgeProcess first = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", TOKEN));
    String base = first.endpoint();
    ScimHttp http = new ScimHttp(base, "Bearer " + TOKEN);

    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(ACKNOWLEDGED_BEFORE_KILL);
    List<Thread> writers = new java.util.ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Thread t = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String userName = "w" + writer + "-" + i + "@crash.example";
          try {
            ScimHttp.Response r = http.post("/Users", user(userName));
            if (r.status() == 201) {
              acknowledged.put(userName, r.json().path("id").asText());
              enough.countDown();
            }
          } catch (RuntimeException connectionLost) {
            return;
          }
        }
      });
      t.start();
      writers.add(t);
    }
    assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
    first.kill();
    stop.set(true);
    for (Thread t : writers) {
      t.join(30_000);
    }

    try (BridgeProcess second = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", TOKEN))) {
      ScimHttp after = new ScimHttp(second.endpoint(), "Bearer " + TOKEN);
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
      acknowledged.forEach((userName, id) -> {
        ScimHttp.Response r = after.get("/Users/" + id);
        assertThat(r.status()).as("acknowledged %s (%s) after the kill", userName, id).isEqualTo(200);
        assertThat(r.json().path("userName").asText()).isEqualTo(userName);
      });
    }
  }
}
