package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.ops.WriteTest;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --write-test} writes to Fulcrum only as the one writer: it holds the writer lease
 * from its first call to its last, so a {@code serve} started meanwhile stands by until it ends,
 * and it is refused by a {@code serve} that holds the lease, also one still starting.
 */
class WriteTestHoldsTheLeaseTest {
  static final Duration TTL = Duration.ofSeconds(3);

  @TempDir Path dir;
  TestStore store;
  FulcrumEmulator fulcrum;
  /** Between the write test (or a starting serve) and Fulcrum: holds their calls until let through. */
  BlackholeProxy slowFulcrum;
  Database db;
  Bridge serve;
  CompletableFuture<?> inBackground;
  /** ha.lease_ttl of the configs this test writes. */
  Duration leaseTtl = TTL;

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void setUp() {
    store = store();
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    slowFulcrum = BlackholeProxy.toServerOf("jdbc:" + fulcrum.baseUrl());
    db = Database.open(store.location()); // as serve made it, with no links yet
  }

  @AfterEach
  void tearDown() throws Exception {
    slowFulcrum.letThrough();
    if (inBackground != null) {
      inBackground.get(30, TimeUnit.SECONDS);
    }
    if (serve != null) {
      serve.stop();
    }
    db.close();
    slowFulcrum.close();
    fulcrum.close();
  }

  @Test
  void aServeStartedWhileTheWriteTestRunsStandsByUntilItEnds() throws Exception {
    String config = config(slow()).toString();
    slowFulcrum.blackhole();
    CompletableFuture<Integer> writeTest = CompletableFuture.supplyAsync(() -> Main.run("check", "--write-test", "--config", config));
    inBackground = writeTest;
    await().atMost(Duration.ofSeconds(10)).until(() -> slowFulcrum.connections() > 0 || writeTest.isDone());

    serve = bridge(fulcrum.baseUrl()); // ready: it has tried to take the lease

    assertThat(holder()).as("the write test's, not the daemon's").isEqualTo(WriterLease.Role.COMMAND);
    slowFulcrum.letThrough();
    assertThat(writeTest.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(fulcrum.members()).noneMatch(m -> m.email().startsWith(WriteTest.MARKER));
    await().atMost(TTL).until(() -> holder() == WriterLease.Role.DAEMON);
  }

  @Test
  void refusedInOneLineWhileAServeIsStillStartingAndNothingIsCalled() throws Exception {
    slowFulcrum.blackhole(); // serve's start-up checks Fulcrum through it: it is still starting
    inBackground = CompletableFuture.runAsync(() -> serve = bridge(slow()));
    await().atMost(Duration.ofSeconds(20)).until(() -> slowFulcrum.connections() > 0 || inBackground.isDone());
    assertThat(inBackground).as("serve is still starting").isNotDone();
    fulcrum.calls().reset();

    Refused r = writeTest();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("the daemon (")
        .contains("holds the Fulcrum writer lease").endsWith("nothing was written").doesNotContain("\n");
    assertThat(fulcrum.calls().all()).isEmpty();
  }

  /** A serve killed or crashed: a restarting serve (or on PostgreSQL a standby) may take its lease over (review-s1 F4). */
  @Test
  void refusedInOneLineRightAfterADaemonsLeaseLapsedNamingWhoMayTakeItOver() throws Exception {
    leaseTtl = Duration.ofSeconds(60); // the take-over window outlasts the test however slow the machine
    WriterLease crashed = new WriterLease(db, DatabaseClock.of(db, Clock.systemUTC()), WriterLease.Role.DAEMON,
        Duration.ofMillis(500));
    assertThat(crashed.tryHold()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> crashed.current().isEmpty());
    fulcrum.calls().reset();

    Refused r = writeTest();

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("a daemon's writer lease (").contains(") lapsed at ")
        .contains("; " + whoMayTakeALapsedLeaseOver() + " may take it until ").endsWith("nothing was written")
        .doesNotContain("\n");
    assertThat(fulcrum.calls().all()).isEmpty();
  }

  /** As the refusal names it: SQLite has no standby. */
  String whoMayTakeALapsedLeaseOver() {
    return "a restarting `fulcrum-scim serve`";
  }

  /**
   * On SQLite the serve standing by holds the file's lock, which the command finds first: what keeps
   * it from the work is still the write test's lease, and the service is healthy (review-s1 F2).
   */
  @Test
  void anActingCommandBesideTheWriteTestAndAServeStandingByNamesTheWriteTestNotTheService() throws Exception {
    String config = config(slow()).toString();
    slowFulcrum.blackhole();
    CompletableFuture<Integer> writeTest = CompletableFuture.supplyAsync(() -> Main.run("check", "--write-test", "--config", config));
    inBackground = writeTest;
    await().atMost(Duration.ofSeconds(10)).until(() -> slowFulcrum.connections() > 0 || writeTest.isDone());
    serve = bridge(fulcrum.baseUrl()); // standing by: it holds the file, the write test the lease
    long started = System.nanoTime();

    Refused r = run("journal", "retry", "user/u-1", "--config", config);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("an operator command (")
        .contains(" holds the Fulcrum writer lease; nothing was done: run this again when it ends (if it was killed, after ")
        .doesNotContain("\n");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not waiting for the serve to take the lease").isLessThan(TTL);
  }

  record Refused(int exit, String err) {}

  /** {@code check --write-test} against the emulator, straight: its exit and its stderr, stripped. */
  Refused writeTest() throws java.io.IOException {
    return run("check", "--write-test", "--config", config(fulcrum.baseUrl()).toString());
  }

  /** {@code fulcrum-scim args}: its exit and its stderr, stripped. */
  Refused run(String... args) {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream was = System.err;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Refused(exit, err.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
    } finally {
      System.setErr(was);
    }
  }

  /** The emulator's address through the proxy. */
  String slow() {
    return slowFulcrum.in("jdbc:" + fulcrum.baseUrl()).substring("jdbc:".length());
  }

  String yaml(String baseUrl) {
    return store.yaml() + "fulcrum:\n  base_url: " + baseUrl + "\n  api_token: " + fulcrum.token()
        + "\n  calls_per_hour: 3600000\nha:\n  lease_ttl: " + leaseTtl.toSeconds() + "s\n";
  }

  /** A config.yml on this test's store, aimed at the Fulcrum at {@code baseUrl}. */
  Path config(String baseUrl) throws java.io.IOException {
    return Files.writeString(Files.createTempFile(dir, "config", ".yml"), yaml(baseUrl));
  }

  /** A serve on this test's store, aimed at the Fulcrum at {@code baseUrl}, started. */
  Bridge bridge(String baseUrl) {
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", yaml(baseUrl)), 0);
    return new Bridge(config, n -> n.equals(Bridge.SCIM_TOKEN_ENV) ? ScimTestServer.TOKEN : null, Clock.systemUTC(),
        new SecureRandom()).start();
  }

  WriterLease.Role holder() {
    return new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND).current().map(WriterLease.Holder::role).orElse(null);
  }
}
