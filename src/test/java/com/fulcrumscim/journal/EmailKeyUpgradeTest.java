package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.OlderRelease;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema 18 keys every user's email as Fulcrum compares it (scim_user.email_key: trimmed, every
 * letter's case folded), which SQL cannot fold: the migration keys the rows a release of schema 17
 * left in Java. Two active users whose emails differ only in a non-ASCII letter's case, which that
 * release accepted, survive the upgrade and take Okta's changes of either; only a new claim of their
 * key is refused.
 */
class EmailKeyUpgradeTest {
  @TempDir Path dir;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @Test
  void everyUserStoredBySchema17IsKeyedByItsEmailWithEveryLettersCaseFolded() throws Exception {
    TestStore store = schema17();

    Map<String, String> keys = new HashMap<>();
    try (Database db = Database.open(store.location())) {
      db.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT id, email_key FROM scim_user")) {
          while (rs.next()) {
            keys.put(rs.getString(1), rs.getString(2));
          }
        }
        return null;
      });
    }

    assertThat(keys).containsEntry("u-ada", "ada@corp.example")
        .containsEntry("u-zoe", "zoë@corp.example")
        .containsEntry("u-zoe-too", "zoë@corp.example")
        .containsEntry("u-elodie", "élodie@corp.example")
        .containsEntry("u-spaced", "bob@corp.example")
        .containsEntry("u-none", null);
  }

  @Test
  void aPairStoredBySchema17WhoseEmailsDifferOnlyInANonAsciiLettersCaseTakesChangesOfEither() throws Exception {
    TestStore store = schema17();

    try (ScimTestServer server = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY)) {
      Response renamed = server.http().put("/Users/u-zoe", Bodies.user("zoe", "ZOË@corp.example", "Zoë", "Renamed", true));
      Response demoted = server.http().put("/Users/u-zoe-too", Bodies.user("zoe.too", "zoë@corp.example", "Zoë", "Too", false));
      Response another = server.http().post("/Users", Bodies.user("zoe.three", "Zoë@corp.example", "Zoë", "Three", true));
      Response reactivated = server.http().put("/Users/u-zoe-too", Bodies.user("zoe.too", "zoë@corp.example", "Zoë", "Too", true));

      assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
      assertThat(demoted.status()).as(demoted.text()).isEqualTo(200);
      assertThat(another.status()).as("a new claim of the key: %s", another.text()).isEqualTo(409);
      assertThat(another.json().path("scimType").asText()).isEqualTo("uniqueness");
      assertThat(reactivated.status()).as("a new claim of the key: %s", reactivated.text()).isEqualTo(409);
    }
  }

  private TestStore schema17() throws Exception {
    TestStore store = store();
    OlderRelease.schema(store.location(), 17);
    user(store, "u-ada", "ada", "Ada@Corp.example");
    user(store, "u-zoe", "zoe", "ZOË@corp.example");
    user(store, "u-zoe-too", "zoe.too", "zoë@corp.example");
    user(store, "u-elodie", "elodie", "ÉLODIE@corp.example");
    user(store, "u-spaced", "bob", "\u2003Bob@corp.example "); // an em space, which SQL's trim() keeps
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, doc, created_at, "
        + "updated_at, active_since) VALUES ('u-none', 'cy', 'cy', 1, '{\"userName\":\"cy\"}', 1000, 1000, 1000)");
    return store;
  }

  /** An active user as that release stored it, its document what Okta sent. */
  private static void user(TestStore store, String id, String userName, String email) throws Exception {
    String doc = Bodies.user(userName, email, "Given", "Family", true).replace("\n", "").replace("'", "''");
    OlderRelease.wrote(store.location(), "INSERT INTO scim_user (id, user_name, user_name_key, active, email, doc, "
        + "created_at, updated_at, active_since) VALUES ('" + id + "', '" + userName + "', '" + userName + "', 1, '" + email
        + "', '" + doc + "', 1000, 1000, 1000)");
  }
}
