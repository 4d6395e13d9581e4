package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.cli.OpsCliRun;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.reconcile.AuditEntry;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimOkta;
import com.fulcrumscim.testing.ScimTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's scenario end to end: the daemon (in this JVM) against the standalone emulator, a person
 * editing Fulcrum by hand through its API, and {@code resync} run as its own process next to the
 * daemon. Only the daemon writes to Fulcrum, so the resync cannot leave the daemon a stale view.
 * The variations of the scenario, and the commands that meet a lease, run their commands in this
 * JVM ({@link #IN_THIS_JVM}): daemon and command meet only in the database, and a JVM start is
 * seconds; the scenario itself and the dry run against the daemon's emulator keep a process of their own.
 */
class OneWriterAcceptanceTest {
  static final String X = "x@corp.example";
  /**
   * The daemons' lease: the shortest ha.lease_ttl, so what waits on the lease (a standby's next try,
   * a dead holder's expiry) waits seconds, not the default's 15.
   */
  static final Duration TTL = Duration.ofSeconds(3);
  static final String HA = "ha:\n  lease_ttl: " + TTL.toSeconds() + "s\n";

  /** How a test runs an operator command ({@code args}, then {@code --config config}). */
  interface Commands {
    BridgeProcess.CommandRun run(Path config, String... args) throws Exception;
  }

  /** In a JVM of its own, as an operator's shell runs it beside the daemon. */
  static final Commands OWN_PROCESS = BridgeProcess::command;

  /** The command line's Main in this JVM, beside the daemon. */
  static final Commands IN_THIS_JVM = (config, args) -> {
    String[] line = Stream.concat(Arrays.stream(args), Stream.of("--config", config.toString())).toArray(String[]::new);
    OpsCliRun.Result r = new OpsCliRun(Files.createDirectories(config.resolveSibling("cli"))).run(line);
    return new BridgeProcess.CommandRun(r.exit(), r.out(), r.err());
  };

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  HttpFulcrumClient byHand;
  ScimTestServer daemon;
  ScimOkta okta;
  Path config;
  List<String> unmanagedIds;
  String unmanagedBefore;

  void start(String more) throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    unmanagedIds = Stream.concat(fulcrum.members().stream().map(FulcrumMember::id), fulcrum.groups().stream().map(FulcrumGroup::id))
        .toList();
    unmanagedBefore = fulcrum.snapshotJson(unmanagedIds);
    byHand = admin(fulcrum);
    String yaml = "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nreconcile:\n  interval: 1s\n" + HA + more;
    daemon = ScimTestServer.start(dir, yaml, Clock.systemUTC(), Bridge.Mode.FULL);
    config = dir.resolve("config.yml");
    Files.writeString(config, "storage:\n  path: " + daemon.database() + "\n" + yaml);
    okta = new ScimOkta(daemon.http());
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (byHand != null) {
      byHand.close();
    }
    if (fulcrum != null) {
      fulcrum.close();
    }
  }

  /** Steps 1 and 2 of the issue: x and "Ops" reach Fulcrum, both are deleted by hand, `resync` brings them back. */
  String[] createDeleteByHandAndResync(Commands commands) throws Exception {
    String x = okta.user(X, "Xavier", "Example", null);
    String ops = okta.group("Ops", List.of(x));
    // x in Ops, not just one member: a group is created with the token's owner in it, whom the next call swaps for x
    await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.memberByEmail(X)
        .flatMap(m -> groupNamed("Ops").map(g -> g.memberIds().equals(List.of(m.id())))).orElse(false));
    byHand.deleteGroup(groupNamed("Ops").orElseThrow().id());
    byHand.deleteMember(fulcrum.memberByEmail(X).orElseThrow().id(), null);

    BridgeProcess.CommandRun resync = commands.run(config, "resync");

    assertThat(resync.exit()).as(resync.out() + resync.err()).isZero();
    assertThat(resync.out()).contains("Applied through the reconciler: 2 of 2 drifting fixed");
    assertThat(fulcrum.memberByEmail(X)).isPresent();
    assertThat(groupNamed("Ops")).hasValueSatisfying(g -> assertThat(g.memberIds()).hasSize(1));
    return new String[] {x, ops};
  }

  /** Step 3 of the issue: within the daemon's cache age Okta renames the group, edits x, deactivates x. */
  void renameEditAndDeactivate(String more, Commands commands) throws Exception {
    start(more);
    String[] ids = createDeleteByHandAndResync(commands);

    okta.setGroup(ids[1], "Ops Team", List.of(ids[0]));
    okta.set(ids[0], "family_name", "Exampleton");
    okta.set(ids[0], "active", 0);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(fulcrum.memberByEmail(X)).as("x keeps no access").isEmpty();
      assertThat(fulcrum.groups().stream().map(FulcrumGroup::name).filter(n -> n.startsWith("Ops"))).containsExactly("Ops Team");
    });
    assertThat(fulcrum.snapshotJson(unmanagedIds)).isEqualTo(unmanagedBefore);
  }

  @Test
  void afterAResyncFromTheCommandLineARenameAndADeactivationLeaveOneGroupAndNoMember() throws Exception {
    renameEditAndDeactivate("", OWN_PROCESS);
  }

  @Test
  void afterAResyncFromTheCommandLineAGroupDeleteAndADeactivationLeaveNeither() throws Exception {
    start("");
    String[] ids = createDeleteByHandAndResync(IN_THIS_JVM);

    okta.set(ids[0], "family_name", "Exampleton");
    okta.deleteGroup(ids[1]);
    okta.set(ids[0], "active", 0);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(fulcrum.memberByEmail(X)).as("x keeps no access").isEmpty();
      assertThat(fulcrum.groups().stream().map(FulcrumGroup::name).filter(n -> n.startsWith("Ops"))).isEmpty();
    });
    assertThat(fulcrum.snapshotJson(unmanagedIds)).isEqualTo(unmanagedBefore);
  }

  @Test
  void withAdoptExistingTheSameScenarioLeavesOneGroupAndNoMember() throws Exception {
    renameEditAndDeactivate("users:\n  adopt_existing: true\n", IN_THIS_JVM);
  }

  @Test
  void everyLinkTheScenarioDropsIsAnAuditRow() throws Exception {
    start("");
    String[] ids = createDeleteByHandAndResync(IN_THIS_JVM);
    okta.set(ids[0], "active", 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> fulcrum.memberByEmail(X).isEmpty());

    assertEveryDroppedLinkAudited();
  }

  @Test
  void aDryRunWithTheDefaultEmbeddedConfigWhileServeRunsPrintsThePlanFromTheDaemonsEmulator() throws Exception {
    ScimTestServer serve = ScimTestServer.start(dir, "", Clock.systemUTC(), Bridge.Mode.FULL);
    try {
      FulcrumEmulator embedded = serve.bridge().emulator().orElseThrow();
      String x = new ScimOkta(serve.http()).user(X, "Xavier", "Example", null);
      await().atMost(Duration.ofSeconds(20)).until(() -> embedded.memberByEmail(X).isPresent());
      Path embeddedConfig = dir.resolve("embedded.yml");
      Files.writeString(embeddedConfig, "storage:\n  path: " + serve.database() + "\n");

      BridgeProcess.CommandRun clean = IN_THIS_JVM.run(embeddedConfig, "resync", "--dry-run");
      try (HttpFulcrumClient admin = admin(embedded)) {
        admin.updateMember(embedded.memberByEmail(X).orElseThrow().id(), new com.fulcrumscim.fulcrum.MemberFields(null, null, "Edited", null));
      }
      BridgeProcess.CommandRun drifted = BridgeProcess.command(embeddedConfig, "resync", "--dry-run");

      assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
      assertThat(clean.out()).contains("No drift");
      assertThat(drifted.exit()).as(drifted.out() + drifted.err()).isEqualTo(1);
      assertThat(drifted.out()).contains("last_name").contains("Edited").contains("Example");
      assertThat(drifted.err()).doesNotContain("no Fulcrum").doesNotContain("Exception");
      assertThat(embedded.memberByEmail(X).orElseThrow().lastName()).as("a dry run changes nothing").isEqualTo("Edited");
      assertThat(x).isNotBlank();
    } finally {
      serve.close();
    }
  }

  @Test
  void aDaemonStartingWhileACommandHoldsTheLeaseAcceptsScimButAppliesOnlyOnceItIsReleased() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    String yaml = "fulcrum:\n  base_url: " + fulcrum.baseUrl() + "\n  api_token: " + fulcrum.token() + "\n" + HA;
    WriterLease command;
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      command = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND);
      assertThat(command.tryHold()).isTrue();
      daemon = ScimTestServer.start(dir, yaml, Clock.systemUTC(), Bridge.Mode.FULL);
      new ScimOkta(daemon.http()).user(X, "Xavier", "Example", null);

      Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 2);
      assertThat(fulcrum.memberByEmail(X)).as("accepted, stored, not applied").isEmpty();

      command.release();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> fulcrum.memberByEmail(X).isPresent());
  }

  @Test
  void aSecondCommandCannotApplyWhileAnotherHoldsTheLease() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).build().start();
    Path cfg = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), fulcrum.token(), "");
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      WriterLease first = new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND);
      assertThat(first.tryHold()).isTrue();
      fulcrum.calls().reset();

      BridgeProcess.CommandRun second = IN_THIS_JVM.run(cfg, "resync");

      assertThat(second.exit()).isEqualTo(1);
      assertThat(second.err()).contains("an operator command (" + first.me()).contains("holds the Fulcrum writer lease");
      assertThat(fulcrum.calls().total()).as("not even a read").isZero();
    }
  }

  @Test
  void journalRetryWhileServeRunsIsCarriedOutByTheDaemon() throws Exception {
    start("");

    BridgeProcess.CommandRun retry = IN_THIS_JVM.run(config, "journal", "retry", "--all-dead");

    assertThat(retry.exit()).as(retry.err()).isZero();
    assertThat(retry.out()).contains("no dead rows");
    try (Database db = Database.open(daemon.database())) {
      assertThat(new RequestStore(db, Clock.systemUTC()).get(1)).hasValueSatisfying(r -> {
        assertThat(r.kind()).isEqualTo(OperatorRequest.Kind.RETRY);
        assertThat(r.state()).isEqualTo(OperatorRequest.State.DONE);
      });
    }
  }

  @Test
  void aCommandFindingTheLeaseOfADaemonThatDiedDoesTheWorkItselfOnceTheLeaseExpires() throws Exception {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).build().start();
    // the daemon's lease life, which the command also waits out after the lease lapsed for a daemon to take it over
    Path cfg = BridgeProcess.writeConfig(dir, fulcrum.baseUrl(), fulcrum.token(), "ha:\n  lease_ttl: " + TTL.toSeconds() + "s\n");
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      assertThat(new WriterLease(db, DatabaseClock.local(Clock.systemUTC()), WriterLease.Role.DAEMON, TTL).tryHold())
          .isTrue(); // then killed: never renewed

      BridgeProcess.CommandRun retry = IN_THIS_JVM.run(cfg, "journal", "retry", "--all-dead");

      assertThat(retry.exit()).as(retry.err()).isZero();
      assertThat(retry.out()).contains("no dead rows");
      assertThat(new RequestStore(db, Clock.systemUTC()).claimNext()).as("its request was withdrawn, not left for a later daemon")
          .isEmpty();
    }
  }

  @Test
  void aDaemonThatLosesTheLeaseStopsWritingToFulcrum() throws Exception {
    start("");
    try (Database db = Database.open(daemon.database())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND)
          .current().map(h -> h.role() == WriterLease.Role.DAEMON).orElse(false));
      db.write(c -> c.createStatement().executeUpdate( // as if the daemon had stalled and a command took over
          "UPDATE writer_lease SET holder = 'someone else', role = 'COMMAND', expires_at = " + (System.currentTimeMillis() + 600_000)));
      ScimHttp ops = new ScimHttp(daemon.rootUrl(), "");
      await().atMost(Duration.ofSeconds(10)).until(() -> !ops.get("/healthz").json().path("leader").asBoolean());

      okta.user(X, "Xavier", "Example", null);

      Thread.sleep(LeaseKeeper.every(TTL).toMillis() * 2);
      assertThat(fulcrum.memberByEmail(X)).as("accepted and stored, never written beside the other holder").isEmpty();
    }
  }

  private static HttpFulcrumClient admin(FulcrumEmulator emulator) {
    return new HttpFulcrumClient(FulcrumSettings.of(emulator.baseUrl(), emulator.token(), 3_600_000, Duration.ofSeconds(5),
        Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL, FulcrumCallListener.NONE);
  }

  private java.util.Optional<FulcrumGroup> groupNamed(String name) {
    return fulcrum.groups().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** Every Fulcrum id the bridge linked but links no more has an audit row saying why (removed, deleted, unlinked). */
  private void assertEveryDroppedLinkAudited() {
    try (Database db = Database.open(daemon.database())) {
      List<AuditEntry> audit = new ArrayList<>(new AuditLog(db, Clock.systemUTC()).list(null, 10_000));
      LinkStore links = new LinkStore(db);
      Set<String> linkedNow = new HashSet<>(links.fulcrumIds(EntityType.USER));
      linkedNow.addAll(links.fulcrumIds(EntityType.GROUP));
      Set<String> everLinked = new HashSet<>();
      audit.stream().filter(a -> a.result().equals("ok") && Set.of("CREATE_MEMBER", "CREATE_GROUP", "LINK").contains(a.action()))
          .forEach(a -> everLinked.add(a.fulcrumId()));
      for (String id : everLinked) {
        if (!linkedNow.contains(id)) {
          assertThat(audit).as("an audit row for dropping the link to " + id)
              .anyMatch(a -> id.equals(a.fulcrumId()) && Set.of("REMOVE_MEMBER", "DELETE_GROUP", "UNLINK").contains(a.action()));
        }
      }
    }
  }
}
