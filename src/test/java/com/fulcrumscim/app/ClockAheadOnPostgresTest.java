package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.cli.OpsCliRun;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s17ha F4: a node whose clock runs two hours ahead (a VM resumed without NTP). The changes it
 * accepted were due on its own clock, two hours on, and nothing said so. Now they are due on the
 * database's clock, the node says its skew in a WARN, and {@code status} on any node names it.
 */
@RequiresPostgres
class ClockAheadOnPostgresTest {
  static final String TOKEN = "fulcrum-token-of-every-node";
  static final Duration AHEAD = Duration.ofHours(2);

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  final TestStore store = TestStore.freshPostgres();
  final List<ScimTestServer> started = new ArrayList<>();
  FulcrumEmulator fulcrum;

  @BeforeEach
  void fulcrum() {
    fulcrum = FulcrumEmulator.builder().token(TOKEN).build().start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    started.forEach(ScimTestServer::close);
    fulcrum.close();
  }

  ScimTestServer node(Clock clock) {
    ScimTestServer node = ScimTestServer.start(store, ScimTestServer.fulcrumAt(fulcrum.baseUrl(), TOKEN)
        + "ha:\n  lease_ttl: 3s\n", clock, Bridge.Mode.FULL);
    started.add(node);
    return node;
  }

  @Test
  void aNodeWhoseClockRunsAheadHasItsChangesDueOnTheDatabasesClockAndSaysSoAsStatusDoes() throws Exception {
    ScimTestServer leader = node(Clock.systemUTC());
    await().atMost(Duration.ofSeconds(10)).until(() -> new ScimHttp(leader.rootUrl(), null).get("/healthz").json().path("leader").asBoolean());
    ScimTestServer ahead = node(Clock.offset(Clock.systemUTC(), AHEAD));
    String name = ":" + ahead.bridge().port();

    ahead.http().post("/Users", Bodies.user("accepted-ahead@corp.example"));

    await("applied by the leader now, not two hours on").atMost(Duration.ofSeconds(20))
        .until(() -> fulcrum.memberByEmail("accepted-ahead@corp.example").isPresent());
    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(ClockSkew.class.getName()))
        .singleElement().extracting(e -> e.getFormattedMessage()).asString()
        .contains(name + ") runs 2h ahead of the database server's", "said again each minute");
    Path config = Files.writeString(dir.resolve("status.yml"), store.yaml());
    OpsCliRun.Result status = new OpsCliRun(Files.createDirectories(dir.resolve("cli"))).run("status", "--config", config.toString());
    assertThat(status.out()).containsPattern("WARNING +the clock of \\S+" + name + " runs 2h ahead of the database server's");
    assertThat(status.out()).doesNotContain(":" + leader.bridge().port() + " runs");
  }
}
