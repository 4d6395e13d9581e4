package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.SqliteRestore;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.db.StoreLock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.ops.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acting command opens the SQLite file before it takes the file's lock, and may wait a lease's
 * life in between (a daemon's lapsed lease): a restore run in that window swaps the file, and what
 * the command then wrote through the file it has open reached neither storage.path nor the
 * replaced copy, with exit 0 (review-s1 F1). It is refused instead, having done nothing.
 */
class CommandOpenedBeforeARestoreTest {
  static final Duration TTL = Duration.ofSeconds(3);

  @TempDir Path dir;
  Path path;
  final StringWriter notices = new StringWriter();
  final AtomicBoolean workedInProcess = new AtomicBoolean();

  @BeforeEach
  void twoDatabases() {
    path = dir.resolve("bridge.db");
    Database.open(dir.resolve("backup.db")).close();
    Database.open(path).close();
  }

  @Test
  void aCommandWhoseFileARestoreReplacedSinceItOpenedItIsRefusedAndWritesNothing() throws Exception {
    OperatorRequest.Answer answer;
    try (Database commands = Database.open(path)) {
      restoreRuns();
      answer = retry(commands);
    }

    assertThat(answer).isEqualTo(new OperatorRequest.Answer(ExitCode.FAILED, "", path + " was replaced (a restore) since "
        + "this command opened it; nothing was done: run it again" + System.lineSeparator()));
    assertThat(workedInProcess).isFalse();
    assertThat(retriedIn(path)).as("storage.path").isEmpty();
    assertThat(retriedIn(dir.resolve("bridge.db.replaced-test"))).as("the replaced copy").isEmpty();
  }

  @Test
  void aCommandWhoseFileWasReplacedIsRefusedAtOnceWhenAServeNowHoldsTheNewFile() throws Exception {
    OperatorRequest.Answer answer;
    long started = System.nanoTime();
    try (Database commands = Database.open(path)) {
      restoreRuns();
      try (StoreLock serve = StoreLock.take(new StoreLocation.SqliteFile(path), "serve")) {
        answer = retry(commands);
      }
    }

    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no wait for a serve whose lease it cannot see").isLessThan(TTL);
    assertThat(answer.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(answer.err()).startsWith(path + " was replaced (a restore) since this command opened it");
    assertThat(notices.toString()).isEmpty();
    assertThat(workedInProcess).isFalse();
  }

  /** What `fulcrum-scim restore` does while it holds the file's lock, which it lets go when it ends. */
  void restoreRuns() {
    try (StoreLock restore = StoreLock.take(new StoreLocation.SqliteFile(path), "restore")) {
      SqliteRestore.restore(dir.resolve("backup.db"), path, "test", db -> {});
    }
  }

  /** `journal retry` with no daemon, on the database it opened: its in-process work writes a setting. */
  OperatorRequest.Answer retry(Database db) throws InterruptedException {
    return new CommandChannel(db, Clock.systemUTC(), TTL, new PrintWriter(notices, true))
        .perform(OperatorRequest.Kind.RETRY, "user/u-1", false, true, Watch.NONE, (w, fence) -> {
          workedInProcess.set(true);
          new SettingStore(db).write(Map.of("test.retried", Optional.of("yes")));
          return new OperatorRequest.Answer(ExitCode.OK, "retried" + System.lineSeparator(), "");
        });
  }

  Optional<String> retriedIn(Path file) {
    try (Database db = Database.open(file)) {
      return new SettingStore(db).get("test.retried");
    }
  }
}
