package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write to an id the bridge does not have is answered 404, as SCIM says, and is a WARN line: the
 * identity provider only writes to ids the bridge gave it, so the bridge lost that state, and the
 * change (a deactivation, say) does not reach Fulcrum. A bounded number of lines a minute.
 */
class UnknownIdWritesTest {
  static final String DEACTIVATE = patch("{\"op\":\"replace\",\"value\":{\"active\":false}}");
  static final String RENAME = patch("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ada L\"}");

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  final SettableClock clock = new SettableClock();
  ScimTestServer server;
  ScimHttp http;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "", clock);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The SCIM endpoint's WARN lines. */
  List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(ScimServer.class.getName()))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aDeactivationOfAnUnknownUserIsAnsweredNotFoundAndIsAWarnLineSayingItDeactivates() {
    assertThat(http.patch("/Users/lost-1", DEACTIVATE).status()).isEqualTo(404);

    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("SCIM PATCH /scim/v2/Users/lost-1 (request id ")
        .contains("answered 404: no user with id lost-1. This request deactivates user lost-1, an id the bridge does not"
            + " have").contains("if the person is still there they keep their access"));
  }

  /** After a restore from an older backup, the line is the list of people to check by hand (review-s12d 3). */
  @Test
  void aDeactivatingPutOrADeleteOfAnUnknownUserNamesWhatItDoesAndTheUserName() {
    assertThat(http.put("/Users/lost-6", user("ada@corp.example", "Ada", "Lovelace", false)).status()).isEqualTo(404);
    assertThat(http.delete("/Users/lost-7").status()).isEqualTo(404);

    assertThat(warnings()).hasSize(2);
    assertThat(warnings().get(0)).contains("This request deactivates user lost-6 (userName ada@corp.example), an id");
    assertThat(warnings().get(1)).contains("This request deletes user lost-7, an id the bridge does not have");
  }

  /** Profile pushes after a restore used up the share, and the deprovisionings went unlogged (review-s12d 3). */
  @Test
  void deactivationsAndDeletesOfUnknownUsersAreLoggedBeyondTheMinutesShare() {
    for (int i = 0; i < 30; i++) {
      http.patch("/Users/lost-" + i, RENAME);
    }
    http.patch("/Users/lost-deactivated", DEACTIVATE);
    http.delete("/Users/lost-deleted");

    assertThat(warnings()).hasSize(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 3);
    assertThat(warnings().get(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE)).contains("more than 20 SCIM writes to unknown ids")
        .contains("(a user's deactivation or delete is logged each time)");
    assertThat(warnings().subList(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 1, warnings().size()))
        .satisfiesExactly(w -> assertThat(w).contains("deactivates user lost-deactivated"),
            w -> assertThat(w).contains("deletes user lost-deleted"));
  }

  @Test
  void writesToUnknownIdsAreCountedByWhetherTheyDeprovisionAUser() {
    http.patch("/Users/lost-8", DEACTIVATE);
    http.delete("/Users/lost-9");
    http.delete("/Users/lost-10");
    http.patch("/Users/lost-11", RENAME);
    http.delete("/Groups/lost-12");

    assertThat(new ScimHttp(server.rootUrl(), "").get("/metrics").text())
        .contains("fulcrum_scim_unknown_id_writes_total{op=\"deactivate_user\"} 1.0")
        .contains("fulcrum_scim_unknown_id_writes_total{op=\"delete_user\"} 2.0")
        .contains("fulcrum_scim_unknown_id_writes_total{op=\"other\"} 2.0");
  }

  /** Not also an ERROR line with other advice (review-s12b F4): the WARN says what was lost and how to recover. */
  @Test
  void aDeactivationOfAnUnknownUserIsThatOneLineAlone() {
    http.patch("/Users/lost-1", DEACTIVATE);

    assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("answered 404", "(README, Backup and restore)"));
  }

  @Test
  void aReplaceOrDeleteOfAnUnknownUserOrGroupIsAWarnLineToo() {
    assertThat(http.put("/Users/lost-2", user("lost@corp.example")).status()).isEqualTo(404);
    assertThat(http.delete("/Groups/lost-3").status()).isEqualTo(404);
    assertThat(http.patch("/Groups/lost-4", patch("{\"op\":\"remove\",\"path\":\"members[value eq \\\"u1\\\"]\"}")).status())
        .isEqualTo(404);

    assertThat(warnings()).hasSize(3).allSatisfy(w -> assertThat(w).contains("answered 404"));
  }

  /** Entra's validator deletes a group twice, and Entra retries: the second DELETE is the client repeating itself (review-s15a F3). */
  @Test
  void aSecondDeleteOfAGroupDeletedHereIsAnInfoLineSayingWhenItWasDeleted() {
    String crew = http.post("/Groups", group("Crew")).json().path("id").asText();
    assertThat(http.delete("/Groups/" + crew).status()).isEqualTo(204);

    assertThat(http.delete("/Groups/" + crew).status()).isEqualTo(404);

    assertThat(warnings()).isEmpty();
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.INFO && e.getLoggerName().equals(ScimServer.class.getName()))
        .extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
            .startsWith("SCIM DELETE /scim/v2/Groups/" + crew + " (request id ")
            .contains("answered 404: group " + crew + " was deleted here at ", "nothing to change"));
  }

  /** Not a user's wording: a group has no deactivation, and what it keeps is its members' access. */
  @Test
  void aWriteOfAGroupTheBridgeNeverHadIsAWarnLineWordedForAGroup() {
    http.delete("/Groups/lost-3");

    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains("answered 404: no group with id lost-3. The identity provider writes to a group the bridge does not have",
            "people it takes out of the group keep the access the group gives there")
        .doesNotContain("deactivation"));
  }

  @Test
  void aReadOfAnUnknownIdOrAWriteOfAKnownOneIsNoWarning() {
    String id = http.post("/Users", user("known@corp.example")).json().path("id").asText();
    String crew = http.post("/Groups", group("Crew")).json().path("id").asText();

    assertThat(http.get("/Users/lost-5").status()).isEqualTo(404);
    assertThat(http.patch("/Users/" + id, DEACTIVATE).status()).isIn(200, 204);
    assertThat(http.delete("/Groups/" + crew).status()).isEqualTo(204);

    assertThat(warnings()).isEmpty();
  }

  @Test
  void aFloodLogsTwentyAMinuteSaysSoAndLogsTheNextMinutesAgain() {
    for (int i = 0; i < 30; i++) {
      assertThat(http.patch("/Users/lost-" + i, RENAME).status()).isEqualTo(404);
    }
    assertThat(warnings()).hasSize(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 1);
    assertThat(warnings().get(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE))
        .contains("more than 20 SCIM writes to unknown ids in a minute").contains("fulcrum_scim_unknown_id_writes_total");

    clock.tick(Duration.ofMinutes(1));
    http.patch("/Users/lost-next", RENAME);
    assertThat(warnings()).hasSize(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 2).last().asString().contains("lost-next");
  }
}
