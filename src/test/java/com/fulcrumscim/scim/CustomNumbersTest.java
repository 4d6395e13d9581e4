package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimHttp.q;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom extension's number is kept as sent: stored, echoed, journaled and compared with its
 * every digit, where it went through a double ({@code 0.12345678901234567890123} came back
 * {@code 0.12345678901234568}, {@code 1e-400} came back 0). One a double cannot hold is refused
 * (review-s8d F9).
 */
class CustomNumbersTest {
  static final String ACME = "urn:example:acme:2.0:User";
  static final String EXACT = "0.12345678901234567890123";

  @TempDir Path dir;
  TestStore store;
  ScimTestServer server;
  ScimHttp http;

  /** The store under test; {@link CustomNumbersOnPostgresTest} gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    store = store();
    server = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String withNumbers(String userName, String numbers) {
    return user(userName).replace("\"locale\":\"en-US\"", "\"" + ACME + "\":{" + numbers + "}");
  }

  @Test
  void aCustomDecimalIsStoredEchoedAndJournaledAsSent() {
    Response created = http.post("/Users", withNumbers("exact@example.com", "\"p\":" + EXACT + ",\"z\":100.0,\"e\":1e2"));
    String id = created.json().path("id").asText();

    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.text()).contains("\"p\":" + EXACT, "\"z\":100.0");
    assertThat(http.get("/Users/" + id).text()).contains("\"p\":" + EXACT, "\"z\":100.0");
    try (Database db = Database.open(store.location())) {
      assertThat(IdentityTextTest.rows(db, "SELECT body FROM journal")).singleElement().asString().contains(EXACT);
    }
  }

  @Test
  void aFilterComparesACustomDecimalWithEveryDigit() {
    String id = http.post("/Users", withNumbers("compared@example.com", "\"p\":" + EXACT)).json().path("id").asText();
    http.post("/Users", withNumbers("rounded@example.com", "\"p\":0.12345678901234568"));

    Response found = http.get("/Users?filter=" + q(ACME + ":p eq " + EXACT));

    assertThat(found.json().path("Resources")).extracting(u -> u.path("id").asText()).containsExactly(id);
  }

  @Test
  void aPatchedCustomDecimalKeepsItsDigits() {
    String id = http.post("/Users", user("patched@example.com")).json().path("id").asText();

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"add\",\"path\":\"" + ACME + ":p\",\"value\":" + EXACT + "}"));

    assertThat(r.status()).as(r.text()).isBetween(200, 204);
    assertThat(http.get("/Users/" + id).text()).contains("\"p\":" + EXACT);
  }

  @Test
  void aNumberNearerZeroThanADoubleHoldsIs400NotStoredAsZero() {
    for (String number : List.of("1e-400", "-2.5E-999999999")) {
      Response r = http.post("/Users", withNumbers("tiny@example.com", "\"n\":" + number));

      assertThat(r.status()).as(number + " " + r.text()).isEqualTo(400);
      assertThat(r.json().path("scimType").asText()).isEqualTo("invalidValue");
      assertThat(r.json().path("detail").asText()).contains("out of range");
    }
    assertThat(http.get("/Users").json().path("totalResults").asInt()).isZero();
  }
}
