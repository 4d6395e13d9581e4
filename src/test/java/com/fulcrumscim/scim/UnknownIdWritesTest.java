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
  void aDeactivationOfAnUnknownUserIsAnsweredNotFoundAndIsAWarnLineNamingIt() {
    assertThat(http.patch("/Users/lost-1", DEACTIVATE).status()).isEqualTo(404);

    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("SCIM PATCH /scim/v2/Users/lost-1 (request id ")
        .contains("answered 404: no user with id lost-1").contains("The change does not reach Fulcrum"));
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
      assertThat(http.patch("/Users/lost-" + i, DEACTIVATE).status()).isEqualTo(404);
    }
    assertThat(warnings()).hasSize(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 1);
    assertThat(warnings().get(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE))
        .contains("more than 20 SCIM writes to unknown ids in a minute").contains("fulcrum_scim_unknown_id_writes_total");

    clock.tick(Duration.ofMinutes(1));
    http.patch("/Users/lost-next", DEACTIVATE);
    assertThat(warnings()).hasSize(ScimServer.UNKNOWN_ID_WARNINGS_PER_MINUTE + 2).last().asString().contains("lost-next");
  }
}
