package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as operators run it, logging at DEBUG, with a known SCIM token, Fulcrum API token and
 * a user's password in flight, through a push, 5xx errors and a revoked token: not one of those
 * strings appears in anything it prints or in its database files, which only their owner can read.
 */
class SecretsTest {
  static final String SCIM_TOKEN = "scim-bearer-secret-42ab9c7e1f3d5a8b06";
  static final String FULCRUM_TOKEN = "fulcrum-api-secret-7f3e9d";
  static final String PASSWORD = "Pa55word-secret-91xq";
  static final String WRONG_TOKEN = "presented-wrong-secret-x0";
  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

  @TempDir Path dir;

  @Test
  void noSecretReachesALogLineOrTheDatabaseAndItsFilesAreOwnerOnly() throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().token(FULCRUM_TOKEN).build().start("127.0.0.1", 0)) {
      Path config = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), FULCRUM_TOKEN, """
            calls_per_hour: 3600000
          reconcile:
            interval: 500ms
          logging:
            level: DEBUG
          """);
      BridgeProcess bridge = BridgeProcess.serve(config, Map.of("FULCRUM_SCIM_TOKEN", SCIM_TOKEN));
      List<String> output;
      try {
        ScimHttp http = new ScimHttp(bridge.endpoint(), "Bearer " + SCIM_TOKEN);
        String body = Bodies.user("ada@corp.example").replace("1mz050nq", PASSWORD);
        String id = http.post("/Users", body).json().path("id").asText();
        assertThat(http.put("/Users/" + id, body.replace("Test", "Ada")).status()).isEqualTo(200);
        assertThat(http.patch("/Users/" + id, Bodies.patch("{\"op\":\"replace\",\"path\":\"password\",\"value\":\"" + PASSWORD + "\"}"))
            .status()).isBetween(200, 204);
        // under an extension, where a custom attribute would be kept: by path, by path-less key, in the object
        assertThat(http.patch("/Users/" + id, Bodies.patch("{\"op\":\"replace\",\"path\":\"" + ENTERPRISE + ":password\",\"value\":\""
            + PASSWORD + "\"}", "{\"op\":\"add\",\"value\":{\"urn:okta:custom:1.0:User:Password\":\"" + PASSWORD + "\"}}",
            "{\"op\":\"add\",\"path\":\"" + ENTERPRISE + "\",\"value\":{\"password\":\"" + PASSWORD + "\"}}")).status()).isEqualTo(200);
        String inExtensions = Bodies.user("lin@corp.example").replace("\"locale\"", "\"" + ENTERPRISE + "\":{\"PASSWORD\":\"" + PASSWORD
            + "\"},\"urn:okta:custom:1.0:User\":{\"costCenter\":\"42\",\"password\":\"" + PASSWORD + "\"},\"locale\"");
        String lin = http.post("/Users", inExtensions).json().path("id").asText();
        assertThat(http.get("/Users/" + id).text() + http.get("/Users/" + lin).text() + http.get("/Users").text())
            .as("GET answers").doesNotContain(PASSWORD).contains("lin@corp.example");
        assertThat(http.withAuthorization("Bearer " + WRONG_TOKEN).get("/Users").status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.memberByEmail("ada@corp.example").isPresent());

        fulcrum.faults().errorShare(1.0);
        http.post("/Users", Bodies.user("grace@corp.example").replace("1mz050nq", PASSWORD));
        await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.calls().all().stream().anyMatch(c -> c.status() >= 500));
        fulcrum.faults().clear().revokeToken();
        await().atMost(Duration.ofSeconds(20)).until(() -> bridge.output().stream().anyMatch(l -> l.contains("PAUSED")));

        for (String file : List.of("bridge.db", "bridge.db-wal", "bridge.db-shm")) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file))))
              .as(file).isEqualTo("rw-------");
        }
      } finally {
        bridge.close();
        output = bridge.output();
      }
      assertThat(output).as("lines the daemon printed").hasSizeGreaterThan(10);
      for (String secret : List.of(SCIM_TOKEN, FULCRUM_TOKEN, PASSWORD, WRONG_TOKEN)) {
        assertThat(output).as("lines containing %s", secret).noneMatch(line -> line.contains(secret));
        try (var files = Files.list(dir)) {
          files.filter(f -> f.getFileName().toString().startsWith("bridge.db")).forEach(f -> assertThat(
              read(f)).as("%s in %s", secret, f).doesNotContain(secret));
        }
      }
    }
  }

  private static String read(Path f) {
    try {
      return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
