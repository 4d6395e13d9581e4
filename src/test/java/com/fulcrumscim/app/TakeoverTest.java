package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import com.fulcrumscim.testing.ScimTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that starts while another node holds the writer lease is a standby: it stores SCIM
 * changes and applies nothing. When that node's lease runs out (it died), the standby takes over:
 * the work the dead node had claimed runs again, and {@code /healthz} and the leader gauge say so.
 * A node that leads again plans on a fresh read of Fulcrum, not on lists read before the other led.
 */
class TakeoverTest {
  static final String X = "x@corp.example";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  ScimTestServer standby;

  @AfterEach
  void stop() {
    if (standby != null) {
      standby.close();
    }
    fulcrum.close();
  }

  @Test
  void aStandbyStoresChangesAndOnTakingOverAppliesWhatTheDeadLeaderHadClaimed() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO writer_lease (name, holder, role, acquired_at, expires_at) "
          + "VALUES ('fulcrum', 'the other node', 'DAEMON', " + now + ", " + (now + 60_000) + ")"));
    }
    standby = ScimTestServer.start(dir, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\nha:\n  lease_ttl: 3s\n", Clock.systemUTC(), Bridge.Mode.FULL);
    ScimHttp ops = new ScimHttp(standby.rootUrl(), "");
    assertThat(ops.get("/healthz").json().path("leader").asBoolean()).isFalse();
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_leader 0.0");

    new ScimOkta(standby.http()).user(X, "Xavier", "Example", null);
    try (Database db = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_WRITE)) {
      // as the dead leader would have left it: claimed, never finished
      db.write(c -> c.createStatement().executeUpdate("UPDATE work SET state = 'RUNNING'"));
    }
    Thread.sleep(1_000);
    assertThat(fulcrum.memberByEmail(X)).as("stored, not applied by a standby").isEmpty();

    leaseOfTheOtherNodeRunsOut();
    await().atMost(Duration.ofSeconds(15)).until(() -> ops.get("/healthz").json().path("leader").asBoolean());
    await().atMost(Duration.ofSeconds(10)).until(() -> fulcrum.memberByEmail(X).isPresent());
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_leader 1.0");
  }

  @Test
  void aNodeTakingTheLeaseBackReadsFulcrumAgainSoAMemberAnotherNodeAddedLeavesTheGroupWhenOktaTakesItOut()
      throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    standby = ScimTestServer.start(dir, "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\nha:\n  lease_ttl: 3s\n", Clock.systemUTC(), Bridge.Mode.FULL);
    ScimHttp ops = new ScimHttp(standby.rootUrl(), "");
    ScimOkta okta = new ScimOkta(standby.http());
    String a = okta.user("a@corp.example", "A", "A", null);
    String x = okta.user(X, "Xavier", "Example", null);
    String crew = okta.group("Night Shift", List.of(a));
    await().atMost(Duration.ofSeconds(15)).until(() -> fulcrum.memberByEmail(X).isPresent() && crewInFulcrum()
        .map(g -> g.memberIds().contains(fulcrum.memberByEmail("a@corp.example").orElseThrow().id())).orElse(false));

    // another node leads for a while and applies Okta's next change, adding x to the group
    try (Database db = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_WRITE)) {
      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET holder = 'the other node', "
          + "acquired_at = " + now + ", expires_at = " + (now + 60_000)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !ops.get("/healthz").json().path("leader").asBoolean());
    okta.setGroup(crew, "Night Shift", List.of(a, x));
    try (HttpFulcrumClient otherNode = new HttpFulcrumClient(FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(),
        3_600_000, Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), d -> {},
        FulcrumCallListener.NONE)) {
      otherNode.changeGroupMembers(crewInFulcrum().orElseThrow().id(), List.of(fulcrum.memberByEmail(X).orElseThrow().id()),
          List.of());
    }
    okta.setGroup(crew, "Night Shift", List.of(a));
    leaseOfTheOtherNodeRunsOut();

    await().atMost(Duration.ofSeconds(15)).until(() -> ops.get("/healthz").json().path("leader").asBoolean());
    String xMember = fulcrum.memberByEmail(X).orElseThrow().id();
    await().atMost(Duration.ofSeconds(10)).until(() -> !crewInFulcrum().orElseThrow().memberIds().contains(xMember));
  }

  /** The other node dies, or stops leading: its lease ends now, not at the minute it was taken for. */
  private void leaseOfTheOtherNodeRunsOut() {
    try (Database db = Database.openExisting(dir.resolve("bridge.db"), Database.Access.READ_WRITE)) {
      int ended = db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = "
          + System.currentTimeMillis() + " WHERE holder = 'the other node'"));
      assertThat(ended).isEqualTo(1);
    }
  }

  private Optional<FulcrumGroup> crewInFulcrum() {
    return fulcrum.groups().stream().filter(g -> g.name().equals("Night Shift")).findFirst();
  }
}
