package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the audit trail and the log keep of the requests the endpoint answers. */
class JournalingTest {
  @TempDir Path dir;
  ScimTestServer server;
  ScimHttp http;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  List<String> journalBodies() throws Exception {
    return journal("body");
  }

  List<String> journal() throws Exception {
    return journal("request_id || ' ' || op");
  }

  /** One SQL expression over the journal rows, oldest first. */
  List<String> journal(String expression) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
        ResultSet rs = c.createStatement().executeQuery("SELECT " + expression + " FROM journal ORDER BY id")) {
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

  /**
   * RFC 7644 requires the PatchOp's {@code schemas}, but a hand-made or third-party client that
   * leaves it out deactivated no one (review-s16b F1): the Operations say what is meant.
   */
  @Test
  void aPatchWithoutSchemasIsAppliedAndJournaledAsSent() throws Exception {
    String id = http.post("/Users", user("noschemas@example.com")).json().path("id").asText();
    String body = "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}";

    Response r = http.patch("/Users/" + id, body);

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(http.get("/Users/" + id).json().path("active").asBoolean()).isFalse();
    assertThat(journalBodies()).last().isEqualTo(body);
    assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains("the rest of the change was refused"));
  }

  @Test
  void bearerTokensNeverReachTheLog() {
    http.post("/Users", user("logged@example.com"));
    http.withAuthorization("Bearer guessed-secret-value").get("/Users");
    http.get("/Nope");
    assertThat(logs.events()).isNotEmpty();
    assertThat(logs.events()).allSatisfy(e -> assertThat(e.getFormattedMessage())
        .doesNotContain(ScimTestServer.TOKEN).doesNotContain("guessed-secret-value"));
  }

  static final String CORE = "urn:ietf:params:scim:schemas:core:2.0:User";

  @Test
  void aPasswordInAnySpellingIsNeitherJournaledNorStoredNorLogged() throws Exception {
    List<String> secrets = new ArrayList<>();
    java.util.function.Function<String, String> secret = form -> {
      secrets.add("Secret-" + form + "-9q");
      return "\"" + secrets.get(secrets.size() - 1) + "\"";
    };
    String plain = user("pw@example.com").replace("\"1mz050nq\"", secret.apply("plain"));
    String id = http.post("/Users", plain).json().path("id").asText();
    // every request also changes displayName: a change that changes nothing leaves no journal row to check
    List<Response> answers = new ArrayList<>();
    java.util.function.BiFunction<String, String, String> put = (key, value) -> user("pw@example.com")
        .replace("\"password\":\"1mz050nq\"", "\"" + key + "\":" + value)
        .replace("\"Test User\"", "\"Put " + answers.size() + "\"");
    answers.add(http.put("/Users/" + id, put.apply("PassWord", secret.apply("mixedCase"))));
    answers.add(http.put("/Users/" + id, put.apply(CORE + ":password", secret.apply("urnKey"))));
    answers.add(http.put("/Users/" + id, put.apply(CORE.toUpperCase(), "{\"PASSWORD\":" + secret.apply("coreObject") + "}")));
    java.util.function.Function<String, String> rename = op -> patch(op,
        "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Patch " + answers.size() + "\"}");
    for (String path : List.of("password", "PASSWORD", CORE + ":password", CORE.toUpperCase() + ":Password")) {
      answers.add(http.patch("/Users/" + id, rename.apply("{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":"
          + secret.apply("path-" + path) + "}")));
    }
    // an operation's member names compare without case too
    answers.add(http.patch("/Users/" + id, rename.apply("{\"op\":\"replace\",\"Path\":\"password\",\"Value\":"
        + secret.apply("capitalisedMembers") + "}")));
    answers.add(http.patch("/Users/" + id, rename.apply("{\"OP\":\"replace\",\"PATH\":\"" + CORE + ":password\",\"VALUE\":"
        + secret.apply("upperCaseMembers") + "}")));
    answers.add(http.patch("/Users/" + id, rename.apply("{\"op\":\"replace\",\"value\":{\"password\":"
        + secret.apply("valueKey") + "}}")));
    answers.add(http.patch("/Users/" + id, rename.apply("{\"op\":\"Replace\",\"value\":{\"" + CORE + ":password\":"
        + secret.apply("valueUrnKey") + "}}")));
    answers.add(http.patch("/Users/" + id, rename.apply("{\"op\":\"add\",\"value\":{\"" + CORE + "\":{\"password\":"
        + secret.apply("valueCoreObject") + "}}}")));
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.text()).isBetween(200, 204));

    String stored;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.database());
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT (SELECT group_concat(body, ' ') FROM journal) || (SELECT group_concat(doc, ' ') FROM scim_user)")) {
      stored = rs.next() ? rs.getString(1) : "";
    }
    assertThat(stored).contains("pw@example.com").contains("Patch " + (answers.size() - 1));
    List<String> logged = logs.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    for (String s : secrets) {
      assertThat(stored).as("journal and desired state").doesNotContainIgnoringCase(s);
      assertThat(journalBodies()).as("journal rows").hasSize(answers.size() + 1);
      assertThat(logged).as("log lines").noneMatch(line -> line.toLowerCase().contains(s.toLowerCase()));
    }
  }

  static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  static final String FULCRUM = "urn:ietf:params:scim:schemas:extension:fulcrum:2.0:User";
  static final String CUSTOM = "urn:okta:custom:1.0:User";

  @Test
  void aPasswordUnderAnyExtensionIsNeitherStoredNorEchoedNorJournaled() throws Exception {
    List<String> secrets = new ArrayList<>();
    java.util.function.Function<String, String> secret = form -> {
      secrets.add("Secret-" + form + "-7w");
      return "\"" + secrets.get(secrets.size() - 1) + "\"";
    };
    String body = user("ext@example.com").replace("\"locale\"",
        "\"" + ENTERPRISE + "\":{\"department\":\"Research\",\"password\":" + secret.apply("enterpriseObject") + "},"
        + "\"" + FULCRUM + "\":{\"role\":\"Manager\",\"Password\":" + secret.apply("fulcrumObject") + "},"
        + "\"" + CUSTOM + "\":{\"costCenter\":\"42\",\"PASSWORD\":" + secret.apply("customObject")
        + ",\"login\":{\"name\":\"ext\",\"password\":" + secret.apply("customNested") + "}},"
        + "\"" + CUSTOM + ":password\":{\"value\":" + secret.apply("customUrnKey") + "},\"locale\"");
    Response created = http.post("/Users", body);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.json().path("id").asText();
    List<String> operations = List.of(
        "{\"op\":\"replace\",\"path\":\"" + ENTERPRISE + ":password\",\"value\":" + secret.apply("enterprisePath") + "}",
        "{\"op\":\"add\",\"path\":\"" + CUSTOM + ":Password\",\"value\":" + secret.apply("customPath") + "}",
        "{\"op\":\"replace\",\"value\":{\"" + FULCRUM + ":password\":" + secret.apply("fulcrumValueKey") + "}}",
        "{\"op\":\"replace\",\"path\":\"" + ENTERPRISE + "\",\"value\":{\"password\":" + secret.apply("enterpriseWhole") + "}}",
        "{\"op\":\"add\",\"path\":\"" + CUSTOM + "\",\"value\":{\"password\":" + secret.apply("customWhole")
            + ",\"access\":{\"PassWord\":" + secret.apply("customWholeNested") + "}}}",
        "{\"op\":\"add\",\"value\":{\"" + CUSTOM + "\":{\"password\":" + secret.apply("customValueKey") + "}}}");
    for (int i = 0; i < operations.size(); i++) {
      // each request also renames the user: a change that changes nothing leaves no journal row to check
      Response patched = http.patch("/Users/" + id, patch(operations.get(i),
          "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Patch " + i + "\"}"));
      assertThat(patched.status()).as(operations.get(i) + " => " + patched.text()).isEqualTo(200);
      assertThat(patched.text()).as("the PATCH answer").doesNotContain("Secret-");
    }

    Response read = http.get("/Users/" + id);
    assertThat(read.json().path(ENTERPRISE).path("department").asText()).isEqualTo("Research");
    assertThat(read.json().path(CUSTOM).path("login").path("name").asText()).as("custom attributes stay").isEqualTo("ext");
    List<String> answers = List.of(created.text(), read.text(), http.get("/Users?filter=" + ScimHttp.q("userName eq \"ext@example.com\"")).text());
    assertThat(journalBodies()).as("journal rows").hasSize(1 + operations.size());
    String files = databaseFiles();
    for (String s : secrets) {
      assertThat(answers).as("answers").noneMatch(text -> text.contains(s));
      assertThat(journalBodies()).as("journal rows").noneMatch(text -> text.contains(s));
      assertThat(files).as("database files").doesNotContain(s);
    }
  }

  @Test
  void theJournalKeepsAnUnknownAttributesNameButNotItsValue() throws Exception {
    String body = user("unknown@example.com")
        .replace("\"locale\"", "\"ssn\":\"123-45-6789\",\"apiKey\":{\"key\":\"k-secret-1\"},"
            + "\"" + ENTERPRISE + "\":{\"department\":\"Research\",\"manager\":{\"value\":\"m1\",\"pin\":\"p-secret-2\"}},"
            + "\"" + CUSTOM + "\":{\"costCenter\":\"42\"},\"locale\"")
        .replace("\"givenName\":\"Test\"", "\"givenName\":\"Test\",\"maidenName\":\"n-secret-3\"")
        .replace("\"type\":\"work\"", "\"type\":\"work\",\"code\":\"c-secret-4\"");
    String id = http.post("/Users", body).json().path("id").asText();
    assertThat(http.put("/Users/" + id, user("unknown@example.com").replace("\"locale\"", "\"apiKey\":\"k-secret-5\",\"locale\""))
        .status()).isEqualTo(200);
    assertThat(http.patch("/Users/" + id, patch(
        "{\"op\":\"replace\",\"path\":\"ssn\",\"value\":\"s-secret-6\"}",
        "{\"op\":\"replace\",\"value\":{\"apiKey\":\"k-secret-7\",\"name.maidenName\":\"n-secret-8\",\"displayName\":\"Renamed\"}}",
        "{\"op\":\"replace\",\"path\":\"name\",\"value\":{\"givenName\":\"Ann\",\"maidenName\":\"n-secret-9\"}}")).status())
        .isEqualTo(200);

    List<String> rows = journalBodies();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).as("what the admin fixing a mapping needs: the names")
        .contains("\"ssn\":\"(ignored)\"", "\"apiKey\":\"(ignored)\"", "\"pin\":\"(ignored)\"", "\"maidenName\":\"(ignored)\"",
            "\"code\":\"(ignored)\"")
        .as("what the bridge keeps, as sent").contains("\"department\":\"Research\"", "\"costCenter\":\"42\"", "\"givenName\":\"Test\"");
    assertThat(rows.get(2)).contains("\"path\":\"ssn\",\"value\":\"(ignored)\"", "\"name.maidenName\":\"(ignored)\"",
        "\"displayName\":\"Renamed\"", "\"givenName\":\"Ann\"");
    String files = databaseFiles();
    for (String value : List.of("123-45-6789", "k-secret-1", "p-secret-2", "n-secret-3", "c-secret-4", "k-secret-5", "s-secret-6",
        "k-secret-7", "n-secret-8", "n-secret-9")) {
      assertThat(rows).as("journal rows").noneMatch(row -> row.contains(value));
      assertThat(files).as("database files").doesNotContain(value);
    }
  }

  /** Every byte of the database's files (the main file, its WAL), as text. */
  String databaseFiles() throws Exception {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("bridge.db")).toList()) {
        all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }
}
