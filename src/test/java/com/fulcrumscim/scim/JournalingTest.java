package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.util.UUID;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What the audit trail and the log keep of the requests the endpoint answers. */
class JournalingTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() {
    logs.start();
    root.addAppender(logs);
    server = ScimTestServer.start(dir);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
    root.detachAppender(logs);
  }

  List<String> journal() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
        ResultSet rs = c.createStatement().executeQuery("SELECT request_id || ' ' || op FROM journal ORDER BY id")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }

  @Test
  void theClientsRequestIdIsEchoedAndJournaled() throws Exception {
    Response r = http.send("POST", "/Users", user("rid@example.com"), Map.of("X-Request-Id", "okta-req-123"));
    assertThat(r.header("X-Request-Id")).isEqualTo("okta-req-123");
    assertThat(journal()).containsExactly("okta-req-123 CREATE");
  }

  @Test
  void withoutOneARequestIdIsGenerated() throws Exception {
    Response r = http.post("/Users", user("norid@example.com"));
    assertThat(r.header("X-Request-Id")).isNotBlank();
    assertThat(journal()).containsExactly(r.header("X-Request-Id") + " CREATE");
  }

  @Test
  void generatedRequestIdsAreDistinctRandomUuids() throws Exception {
    UUID first = UUID.fromString(http.post("/Users", user("rid1@example.com")).header("X-Request-Id"));
    UUID second = UUID.fromString(http.post("/Users", user("rid2@example.com")).header("X-Request-Id"));
    assertThat(first).isNotEqualTo(second);
    assertThat(List.of(first.version(), first.variant(), second.version(), second.variant())).containsExactly(4, 2, 4, 2);
  }

  @Test
  void aPatchThatChangesNothingLeavesNoJournalRow() throws Exception {
    String id = http.post("/Users", user("quiet@example.com")).json().path("id").asText();
    http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":true}"));
    http.put("/Users/" + id, user("quiet@example.com"));
    assertThat(journal()).hasSize(1);
  }

  @Test
  void bearerTokensNeverReachTheLog() {
    http.post("/Users", user("logged@example.com"));
    http.withAuthorization("Bearer guessed-secret-value").get("/Users");
    http.get("/Nope");
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage())
        .doesNotContain(ScimTestServer.TOKEN).doesNotContain("guessed-secret-value"));
  }
}
