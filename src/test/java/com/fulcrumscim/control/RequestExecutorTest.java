package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.CapturedLogs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's request thread on a real SQLite file whose answers are refused for a while (a
 * trigger aborts every answer while {@code blip} has a row), as a database blip would.
 */
class RequestExecutorTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  Database db;
  RequestStore store;
  RequestExecutor executor;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("bridge.db"));
    store = new RequestStore(db, Clock.systemUTC());
    db.write(c -> c.createStatement().executeUpdate("CREATE TABLE blip (x INTEGER)"));
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER answers_refused BEFORE UPDATE OF state ON "
        + "operator_request WHEN NEW.state = 'DONE' AND EXISTS (SELECT 1 FROM blip) "
        + "BEGIN SELECT RAISE(ABORT, 'database blip'); END"));
    executor = new RequestExecutor(store, OperatorActions.configured(ConfigLoader.fromSystemEnvironment().defaults(), db,
        Clock.systemUTC(), () -> {}), () -> null);
  }

  @AfterEach
  void close() {
    executor.close();
    db.close();
  }

  @Test
  void anAnswerTheDatabaseRefusedReachesTheCommandOnceTheDatabaseIsBack() throws Exception {
    blipStarts();
    executor.start();
    long asked = store.submit(OperatorRequest.Kind.RETRY, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(asked) == OperatorRequest.State.RUNNING);
    Thread.sleep(RequestExecutor.POLL.multipliedBy(3).toMillis()); // carried out; its answer refused

    blipEnds();

    await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(asked) == OperatorRequest.State.DONE);
    assertThat(store.get(asked).orElseThrow().answer().exitCode()).isZero();
  }

  /** review-s17ha F8: a database outage had each poll (300 ms) log a WARN; the lease keeper's lines come each minute. */
  @Test
  void requestsThatCannotBeReadAreSaidOnceWhileItLastsAndOnceWhenTheyAreReadAgain() throws Exception {
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER claims_refused BEFORE UPDATE OF state ON "
        + "operator_request WHEN NEW.state = 'RUNNING' AND EXISTS (SELECT 1 FROM blip) "
        + "BEGIN SELECT RAISE(ABORT, 'database blip'); END"));
    blipStarts();
    long asked = store.submit(OperatorRequest.Kind.RETRY, null, false);
    executor.start();
    Thread.sleep(RequestExecutor.POLL.multipliedBy(6).toMillis()); // six polls, each refused

    blipEnds();

    await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(asked) == OperatorRequest.State.DONE);
    assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("could not read operator requests"))
        .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("database blip", "each minute"));
    assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().equals("operator requests are read again")).hasSize(1);
  }

  @Test
  void aRequestMadeAfterARefusedAnswerIsStillCarriedOut() throws Exception {
    blipStarts();
    executor.start();
    long first = store.submit(OperatorRequest.Kind.RETRY, null, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(first) == OperatorRequest.State.RUNNING);
    Thread.sleep(RequestExecutor.POLL.multipliedBy(3).toMillis());
    blipEnds();

    long second = store.submit(OperatorRequest.Kind.RETRY, null, false);

    await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(second) == OperatorRequest.State.DONE);
  }

  private OperatorRequest.State stateOf(long id) {
    return store.get(id).orElseThrow().state();
  }

  private void blipStarts() {
    db.write(c -> c.createStatement().executeUpdate("INSERT INTO blip VALUES (1)"));
  }

  private void blipEnds() {
    db.write(c -> c.createStatement().executeUpdate("DELETE FROM blip"));
  }
}
