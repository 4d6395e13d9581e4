package com.fulcrumscim.app;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.ScimHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
  static final String TOKEN = "crash-test-token";
  static final int WRITERS = 4;

  @TempDir Path dir;

  /** A {@code serve} child JVM with the test's class path; {@code endpoint} completes when it is up. */
  record Child(Process process, CompletableFuture<String> endpoint) {}

  Child serve(Path config) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "com.fulcrumscim.cli.Main", "serve", "--config",
        config.toString()).redirectErrorStream(true);
    pb.environment().put("FULCRUM_SCIM_TOKEN", TOKEN);
    Process p = pb.start();
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("SCIM endpoint: ")) {
            endpoint.complete(line.substring("SCIM endpoint: ".length()).strip());
          }
        }
      } catch (java.io.IOException ignored) {
        // the child died: that is the point
      }
      endpoint.completeExceptionally(new IllegalStateException("serve exited before it printed its endpoint"));
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    return new Child(p, endpoint);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesAKill() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "server:\n  port: " + freePort() + "\nstorage:\n  path: " + dir.resolve("crash.db") + "\n");
    Child first = serve(config);
    String base = first.endpoint().get(60, TimeUnit.SECONDS);
    ScimHttp http = new ScimHttp(base, "Bearer " + TOKEN);

    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(200);
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
    first.process().destroyForcibly();
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    stop.set(true);
    for (Thread t : writers) {
      t.join(30_000);
    }

    Child second = serve(config);
    try {
      ScimHttp after = new ScimHttp(second.endpoint().get(60, TimeUnit.SECONDS), "Bearer " + TOKEN);
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(200);
      acknowledged.forEach((userName, id) -> {
        ScimHttp.Response r = after.get("/Users/" + id);
        assertThat(r.status()).as("acknowledged %s (%s) after the kill", userName, id).isEqualTo(200);
        assertThat(r.json().path("userName").asText()).isEqualTo(userName);
      });
    } finally {
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
