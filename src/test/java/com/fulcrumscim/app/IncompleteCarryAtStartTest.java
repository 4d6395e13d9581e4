package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.restore.IncompleteCarry;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore whose carry forward is incomplete is one WARN line each time the service starts, until
 * an operator acknowledges it: the restore's own WARNING went to a terminal, once.
 */
class IncompleteCarryAtStartTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  private Bridge bridge;

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.stop();
    }
  }

  private void serve() {
    bridge = new Bridge(ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
        + dir.resolve("b.db") + "\n"), 0), n -> n.equals("FULCRUM_SCIM_TOKEN") ? ScimTestServer.TOKEN : null,
        Clock.systemUTC(), new SecureRandom(), Bridge.Mode.RECEIVER_ONLY).start();
  }

  private List<String> carryWarnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("could not carry forward")).toList();
  }

  @Test
  void anIncompleteCarryIsOneWarnLineAtStartNamingTheReadmeStepAndTheAcknowledgeCommand() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      IncompleteCarry.recordNothing(db, Instant.parse("2026-12-07T09:00:00Z"),
          "nothing was carried: no replaced database was named (--replaced FILE)");
    }

    serve();

    assertThat(carryWarnings()).singleElement().satisfies(m -> assertThat(m)
        .startsWith("the restore at 2026-12-07T09:00:00Z could not carry forward 1 thing")
        .contains("\"When the restore cannot carry everything forward\"", "`fulcrum-scim restore acknowledge`"));
  }

  @Test
  void anAcknowledgedCarryIsNoLine() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      IncompleteCarry.recordNothing(db, Instant.parse("2026-12-07T09:00:00Z"), "nothing was carried");
      IncompleteCarry.acknowledge(db);
    }

    serve();

    assertThat(carryWarnings()).isEmpty();
  }
}
