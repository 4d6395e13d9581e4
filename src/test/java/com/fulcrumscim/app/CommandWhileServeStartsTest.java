package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.RetryCommand;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the daemon writes to Fulcrum while it runs: a {@code serve} holds the writer lease from the
 * moment its database is open, so an operator command run while it is still starting (checking
 * Fulcrum, starting its servers) asks it, rather than working in-process and keeping it out.
 */
class CommandWhileServeStartsTest {
  static final Duration TTL = Duration.ofSeconds(3);
  static final OperatorRequest.Answer IN_PROCESS = RetryCommand.IN_PROCESS;

  @TempDir Path dir;
  TestStore store;
  FulcrumEmulator fulcrum;
  BlackholeProxy slowFulcrum;
  CompletableFuture<Bridge> starting;
  Database db;
  final StringWriter notices = new StringWriter();
  final AtomicBoolean workedInProcess = new AtomicBoolean();

  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void setUp() {
    store = store();
    fulcrum = FulcrumEmulator.builder().build().start("127.0.0.1", 0);
    slowFulcrum = BlackholeProxy.toServerOf("jdbc:" + fulcrum.baseUrl());
  }

  @AfterEach
  void tearDown() throws Exception {
    slowFulcrum.letThrough();
    if (starting != null) {
      starting.get(30, TimeUnit.SECONDS).stop();
    }
    if (db != null) {
      db.close();
    }
    slowFulcrum.close();
    fulcrum.close();
  }

  @Test
  void aCommandRunWhileServeChecksFulcrumAtStartIsCarriedOutByThatDaemon() throws Exception {
    slowFulcrum.blackhole(); // start-up's first Fulcrum call (the token's owner) waits for an answer
    starting = CompletableFuture.supplyAsync(() -> bridge(slowFulcrum.in("jdbc:" + fulcrum.baseUrl()).substring("jdbc:".length())));
    await().atMost(Duration.ofSeconds(20)).until(() -> slowFulcrum.connections() > 0 || starting.isDone());
    assertThat(starting).as("serve is still starting").isNotDone();
    db = Database.openExisting(store.location(), Database.Access.READ_WRITE);

    CompletableFuture<OperatorRequest.Answer> answer = command();
    await().atMost(Duration.ofSeconds(5)).until(() -> new RequestStore(db, Clock.systemUTC()).get(1).isPresent() || answer.isDone());
    assertThat(workedInProcess).as("asks the starting daemon instead of working in-process").isFalse();
    slowFulcrum.letThrough();

    assertThat(answer.get(30, TimeUnit.SECONDS)).isNotEqualTo(IN_PROCESS).extracting(OperatorRequest.Answer::exitCode).isEqualTo(0);
    assertThat(workedInProcess).isFalse();
  }

  /** A serve aimed at the Fulcrum at {@code baseUrl}, started (which returns once it is ready). */
  Bridge bridge(String baseUrl) {
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", store.yaml()
        + "fulcrum:\n  base_url: " + baseUrl + "\n  api_token: " + fulcrum.token() + "\n  calls_per_hour: 3600000\n"
        + "ha:\n  lease_ttl: " + TTL.toSeconds() + "s\n"), 0);
    return new Bridge(config, n -> n.equals(Bridge.SCIM_TOKEN_ENV) ? ScimTestServer.TOKEN : null, Clock.systemUTC(),
        new SecureRandom()).start();
  }

  /** `fulcrum-scim journal retry` as its command runs it, on its own thread. */
  CompletableFuture<OperatorRequest.Answer> command() {
    return RetryCommand.start(db, TTL, notices, workedInProcess);
  }

  /** Whose writer lease is live now, if anyone's. */
  WriterLease.Role holder() {
    return new WriterLease(db, Clock.systemUTC(), WriterLease.Role.COMMAND).current().map(WriterLease.Holder::role).orElse(null);
  }
}
