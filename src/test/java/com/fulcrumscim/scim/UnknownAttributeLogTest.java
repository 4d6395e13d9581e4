package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log names the unknown attributes an identity provider sends, so its admin can fix the
 * mapping, however many names a client invents, at a bounded number of lines a minute.
 */
class UnknownAttributeLogTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  final SettableClock clock = new SettableClock();
  ScimTestServer server;
  ScimHttp http;
  String id;

  @BeforeEach
  void start() {
    server = ScimTestServer.start(dir, "", clock);
    http = server.http();
    id = http.post("/Users", user("mapped@example.com")).json().path("id").asText();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A path-less PATCH naming {@code count} unknown attributes {@code prefix}0, {@code prefix}1, ... */
  void sendUnknown(String prefix, int count) {
    String keys = IntStream.range(0, count).mapToObj(i -> "\"" + prefix + i + "\":\"v\"").collect(Collectors.joining(","));
    assertThat(http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{" + keys + "}}")).status()).isEqualTo(200);
  }

  List<String> logged() {
    return logs.events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("unknown")).toList();
  }

  @Test
  void aNameSentAfterAThousandOthersIsStillLogged() {
    for (int minute = 0; minute < 10; minute++) {
      sendUnknown("junk" + minute + "x", 100);
      clock.tick(Duration.ofMinutes(1));
    }
    sendUnknown("costCenterOfTheRealMapping", 1);
    assertThat(logged()).hasSize(1_001).last().asString().contains("costCenterOfTheRealMapping");
  }

  @Test
  void aFloodOfNewNamesLogsAHundredAMinuteSaysSoAndLogsTheNextMinutesNames() {
    sendUnknown("flood", 300);
    assertThat(logged()).hasSize(101);
    assertThat(logged().get(100)).contains("more than 100 unknown attribute names in a minute");
    sendUnknown("flood", 300);
    assertThat(logged()).as("nothing more this minute").hasSize(101);

    clock.tick(Duration.ofMinutes(1));
    sendUnknown("costCenterOfTheRealMapping", 1);
    assertThat(logged()).hasSize(102).last().asString().contains("costCenterOfTheRealMapping");
  }
}
