package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refused group PUT or PATCH is a WARN with its request id: it is a membership push that Okta
 * does not send again, so the people it took out keep their access until the group is pushed again.
 */
class RefusedGroupChangeLogTest {
  @RegisterExtension static final ScimTestServer.PerClass server = new ScimTestServer.PerClass();
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @Test
  void aRefusedGroupPatchRemovingAMemberIsAWarnWithItsRequestId() throws Exception {
    String bob = server.http().post("/Users", user("bob-log@example.com")).json().path("id").asText();
    String id = server.http().post("/Groups", group("Logged", bob)).json().path("id").asText();

    Response r = server.http().patch("/Groups/" + id, patch(
        "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + bob + "\\\"]\"}",
        "{\"op\":\"replace\",\"path\":\"emails[type eq\",\"value\":\"x\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(requestLines(r.header("X-Request-Id"))).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("PATCH /scim/v2/Groups/" + id + " -> 400", "group change was refused");
    });
  }

  @Test
  void aRefusedUserPatchStaysAnInfoLine() throws Exception {
    String ada = server.http().post("/Users", user("ada-log@example.com")).json().path("id").asText();

    Response r = server.http().patch("/Users/" + ada, patch("{\"op\":\"replace\",\"path\":\"emails[type eq\",\"value\":\"x\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(requestLines(r.header("X-Request-Id"))).singleElement()
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
  }

  @Test
  void aPatchOfGroupsSearchIsNoGroupChangeAndStaysAnInfoLine() throws Exception {
    Response r = server.http().patch("/Groups/.search", patch("{\"op\":\"remove\",\"path\":\"members\"}"));

    assertThat(r.status()).as(r.text()).isEqualTo(405);
    assertThat(requestLines(r.header("X-Request-Id"))).singleElement()
        .satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
  }

  /** The request log's lines naming {@code requestId}: written once the answer is sent, so waited for. */
  List<ILoggingEvent> requestLines(String requestId) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      List<ILoggingEvent> lines = logs.events().stream()
          .filter(e -> e.getLoggerName().endsWith("ScimServer") && e.getFormattedMessage().contains(requestId)).toList();
      if (!lines.isEmpty()) {
        return lines;
      }
      Thread.sleep(100);
    }
    return List.of();
  }
}
