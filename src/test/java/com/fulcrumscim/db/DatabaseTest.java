package com.fulcrumscim.db;

import static com.fulcrumscim.db.SettingRows.count;
import static com.fulcrumscim.db.SettingRows.setting;
import static com.fulcrumscim.db.SettingRows.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import com.fulcrumscim.testing.CorruptedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

class DatabaseTest {
  @TempDir Path dir;

  @Test
  void createsTheFileReadableByItsOwnerOnly() {
    Path file = dir.resolve("sub/bridge.db");
    try (Database db = Database.open(file)) {
      assertThat(db.path()).exists();
    }
    assertThat(PosixFilePermissions.toString(permissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aDirectoryThatCannotBeMadeIsNamedWithWhy() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "");
    assertThatThrownBy(() -> Database.open(file.resolve("data/b.db")))
        .hasMessage("cannot open database " + file.resolve("data/b.db") + ": not a directory: " + file.resolve("data"));
  }

  @Test
  void aDirectoryItMayNotMakeSaysPermissionDenied() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root makes a directory whatever the modes");
    Path locked = Files.createDirectory(dir.resolve("locked"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-x------")));
    assertThatThrownBy(() -> Database.open(locked.resolve("data/b.db")))
        .hasMessage("cannot open database " + locked.resolve("data/b.db") + ": permission denied on " + locked.resolve("data"));
  }

  @Test
  void concurrentWritesAllCommit() throws Exception {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int n = i;
        futures.add(pool.submit(() -> db.write(c -> setting(c, "k" + n, "v" + n))));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      assertThat(count(db)).isEqualTo(500);
    }
  }

  @Test
  void closingReturnsAtOnceThoughTheWriterIsWaitingForWork() throws Exception {
    Duration quickest = Duration.ofDays(1);
    for (int i = 0; i < 3; i++) {
      Database db = Database.open(dir.resolve("b" + i + ".db"));
      db.write(c -> setting(c, "k", "v"));
      Thread.sleep(20); // the writer is waiting for the next write again
      long began = System.nanoTime();
      db.close();
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      quickest = took.compareTo(quickest) < 0 ? took : quickest;
    }
    // not when the writer next looks at its queue, up to 200 ms later (every stop of serve or a command waited for it)
    assertThat(quickest).isLessThan(Duration.ofMillis(100));
  }

  @Test
  void aFailingWriteRollsBackAloneAndReachesItsCaller() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      db.write(c -> setting(c, "kept", "1"));
      assertThatThrownBy(() -> db.write(c -> {
        setting(c, "lost", "1");
        throw new IllegalArgumentException("refused");
      })).isInstanceOf(IllegalArgumentException.class).hasMessage("refused");
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Test
  void aReadOfSeveralStatementsSeesTheDatabaseAsOfItsFirstStatement() throws Exception {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      db.write(c -> setting(c, "a", "1"));
      CountDownLatch firstRead = new CountDownLatch(1);
      CountDownLatch otherCommitted = new CountDownLatch(1);
      CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> db.read(c -> {
        String a = value(c, "a");
        firstRead.countDown();
        otherCommitted.await(10, TimeUnit.SECONDS);
        return java.util.Arrays.asList(a, value(c, "b"), String.valueOf(countIn(c)));
      }));
      assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue();
      db.write(c -> setting(c, "b", "2"));
      otherCommitted.countDown();

      assertThat(read.get(10, TimeUnit.SECONDS)).as("a, b and the row count as of the read's first statement")
          .containsExactly("1", null, "1");
      String b = db.read(c -> value(c, "b"));
      assertThat(b).as("the next read").isEqualTo("2");
    }
  }

  @Test
  void aReadThatFailsLeavesItsConnectionSeeingLaterWrites() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      for (int i = 0; i < 8; i++) { // more than there are readers: each of them once
        assertThatThrownBy(() -> db.read(c -> {
          value(c, "k");
          throw new IllegalStateException("the caller's own failure");
        })).isInstanceOf(IllegalStateException.class);
      }
      db.write(c -> setting(c, "k", "v"));
      for (int i = 0; i < 8; i++) {
        String stored = db.read(c -> value(c, "k"));
        assertThat(stored).isEqualTo("v");
      }
    }
  }

  @Test
  void writesStartedWithoutWaitingCommitInTheOrderStarted() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      List<java.util.concurrent.CompletableFuture<String>> started = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        // each write sees its predecessor's value: a reordered pair would answer out of turn
        started.add(db.writeLater(c -> {
          String before = value(c, "last");
          try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO setting(key, value) VALUES ('last', ?)")) {
            ps.setString(1, Integer.toString(n));
            ps.executeUpdate();
          }
          return before;
        }));
      }
      for (int i = 0; i < started.size(); i++) {
        assertThat(started.get(i).join()).isEqualTo(i == 0 ? null : Integer.toString(i - 1));
      }
      String last = db.read(c -> value(c, "last"));
      assertThat(last).isEqualTo("199");
    }
  }

  @Test
  void aWriteStartedWithoutWaitingReportsItsFailureInItsFuture() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      java.util.concurrent.CompletableFuture<Object> failed = db.writeLater(c -> {
        setting(c, "lost", "1");
        throw new IllegalArgumentException("refused");
      });
      db.writeLater(c -> setting(c, "kept", "1")).join();

      assertThatThrownBy(failed::join).hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("refused");
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Test
  void aWriteWaitedForFromACommitsCallbackIsRefusedInsteadOfHangingTheWriter() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      java.util.concurrent.CountDownLatch callbackAttached = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CompletableFuture<Object> nested = db.writeLater(c -> {
        callbackAttached.await();
        return setting(c, "first", "1");
      }).thenApply(first -> db.write(c -> setting(c, "nested", "1")));
      callbackAttached.countDown();

      assertThatThrownBy(() -> nested.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("writer thread");
      db.write(c -> setting(c, "after", "1"));
      assertThat(count(db)).isEqualTo(2);
    }
  }

  @Test
  void aWriteChangingManyPagesMakesNoTemporaryFile() throws Exception {
    // In a child JVM with a temporary directory of its own: other SQLite users on this machine
    // make files of the same name in the shared ones.
    Path tmp = Files.createDirectories(dir.resolve("sqlite-tmp"));
    Path file = dir.resolve("b.db");
    List<String> created = new ArrayList<>();
    try (java.nio.file.WatchService watch = java.nio.file.FileSystems.getDefault().newWatchService()) {
      tmp.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
      ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ManyPagesWrite.class.getName(), file.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile());
      child.environment().put("SQLITE_TMPDIR", tmp.toString());
      Process p = child.start();
      assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.out"))).isZero();
      for (java.nio.file.WatchKey key; (key = watch.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)) != null; ) {
        key.pollEvents().forEach(e -> created.add(e.context().toString()));
        key.reset();
      }
    }
    assertThat(created).isEmpty();
    try (Database db = Database.open(file)) {
      String changed = db.read(c -> value(c, "k49"));
      assertThat(changed).startsWith("y");
    }
  }

  @Test
  void aGroupIsReportedCommittedEvenWhenAnotherProcessTakesTheWriteLockTheMomentItCommits() throws Exception {
    Path file = dir.resolve("b.db");
    try (Database db = Database.open(file);
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      // Waiting for the lock spins instead of sleeping, so the other connection gets it the instant
      // the writer lets go: the gap between a COMMIT and anything the writer does next is microseconds.
      BusyHandler.setHandler(other, new BusyHandler() {
        @Override
        protected int callback(int attempts) {
          return 1;
        }
      });
      AtomicReference<CountDownLatch> committing = new AtomicReference<>();
      db.write(c -> {
        // Past this the writer gives up on a lock someone else holds, instead of the usual 10 s.
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = 20");
        }
        c.unwrap(SQLiteConnection.class).addCommitListener(new SQLiteCommitListener() {
          @Override
          public void onCommit() {
            CountDownLatch waiting = committing.getAndSet(null);
            if (waiting != null) {
              waiting.countDown();
            }
          }

          @Override
          public void onRollback() {}
        });
        return null;
      });
      // Each round: the other connection asks for the write lock while a group is committing and
      // holds it well past the writer's busy timeout once it has it. Whenever it won the race, a
      // writer that began its next transaction at once would meet SQLITE_BUSY right after a COMMIT
      // that succeeded; many rounds, since who wins is up to the scheduler.
      ExecutorService grabber = Executors.newSingleThreadExecutor();
      try {
        for (int round = 0; round < 50; round++) {
          CountDownLatch signal = new CountDownLatch(1);
          committing.set(signal);
          Future<?> grab = grabber.submit(() -> {
            signal.await();
            try (Statement s = other.createStatement()) {
              s.execute("BEGIN IMMEDIATE");
              Thread.sleep(60);
              s.execute("COMMIT");
            }
            return null;
          });
          String key = "k" + round;
          assertThatCode(() -> db.write(c -> setting(c, key, "v"))).as("round %d", round).doesNotThrowAnyException();
          grab.get(10, TimeUnit.SECONDS);
        }
      } finally {
        grabber.shutdownNow();
      }
      db.write(c -> setting(c, "after", "v"));
      assertThat(count(db)).isEqualTo(51);
    }
  }

  @Test
  void aWriteAfterTheWriterStoppedFailsAtOnceSayingWhy() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      // interrupted on its own thread: the writer's loop ends once this write has committed
      db.write(c -> {
        Thread.currentThread().interrupt();
        return setting(c, "last", "1");
      });

      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> db.write(c -> setting(c, "refused", "1")))
          .isInstanceOf(DatabaseUnavailableException.class).hasMessageContaining("writer stopped"));
      assertThat(db.writeProblem()).hasValueSatisfying(why -> assertThat(why).contains("writer stopped"));
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Test
  void writesQueuedWhenTheWriterStopsFailToo() throws Exception {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch queued = new CountDownLatch(1);
      CompletableFuture<Object> last = db.writeLater(c -> {
        running.countDown();
        queued.await();
        Thread.currentThread().interrupt();
        return setting(c, "last", "1");
      });
      running.await();
      List<CompletableFuture<Object>> waiting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String key = "queued" + i;
        waiting.add(db.writeLater(c -> setting(c, key, "1")));
      }
      queued.countDown();

      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        last.join();
        for (CompletableFuture<Object> f : waiting) {
          assertThatThrownBy(f::join).hasCauseInstanceOf(DatabaseUnavailableException.class);
        }
      });
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Test
  void aProcessThatWaitedWhileAnotherMigratedTheFileSkipsWhatTheOtherApplied() throws Exception {
    Path file = dir.resolve("b.db");
    List<String> migrations = migrations();
    olderRelease(file, migrations.subList(0, migrations.size() - 1));
    CompletableFuture<Database> opened = new CompletableFuture<>();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = other.createStatement()) {
      // the other process (a second serve, or `db migrate`) has the write lock and is migrating
      s.execute("BEGIN IMMEDIATE");
      Thread opener = new Thread(() -> {
        try {
          opened.complete(Database.open(file));
        } catch (Throwable e) {
          opened.completeExceptionally(e);
        }
      });
      opener.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> waitingToBeginAMigration(opener));
      runScript(s, migrations.get(migrations.size() - 1));
      s.execute("PRAGMA user_version = " + migrations.size());
      s.execute("COMMIT");
    }

    try (Database db = opened.get(30, TimeUnit.SECONDS)) {
      assertThat(db.read(c -> Migrations.versions(c, Dialect.SQLITE)).found()).isEqualTo(migrations.size());
      db.write(c -> setting(c, "after", "1"));
    }
  }

  private static long countIn(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM setting")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Has read the file's version and waits for the write lock to migrate it: past the point of reading it again. */
  private static boolean waitingToBeginAMigration(Thread t) {
    List<StackTraceElement> frames = List.of(t.getStackTrace());
    return frames.stream().anyMatch(f -> f.getClassName().equals(Migrations.class.getName()))
        && frames.stream().anyMatch(f -> f.getClassName().equals(SQLiteConnection.class.getName())
            && f.getMethodName().equals("setAutoCommit"));
  }

  private static List<String> migrations() throws Exception {
    return resource("db/migrations.txt").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** The file an older release left behind: only {@code applied} migrations, in WAL mode as serve leaves it. */
  private static void olderRelease(Path file, List<String> applied) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      for (String migration : applied) {
        runScript(s, migration);
      }
      s.execute("PRAGMA user_version = " + applied.size());
    }
  }

  private static void runScript(Statement s, String migration) throws Exception {
    for (String sql : Migrations.statements(resource("db/" + migration))) {
      s.executeUpdate(sql);
    }
  }

  private static String resource(String name) throws Exception {
    try (java.io.InputStream in = DatabaseTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void reopeningKeepsCommittedWritesAndSkipsAppliedMigrations() {
    Path file = dir.resolve("b.db");
    try (Database db = Database.open(file)) {
      db.write(c -> setting(c, "a", "1"));
    }
    try (Database db = Database.open(file)) {
      assertThat(count(db)).isEqualTo(1);
    }
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(Path p) {
    try {
      return Files.getPosixFilePermissions(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aCorruptFileIsRefusedAtOpenNamingTheFile() throws Exception {
    Path file = dir.resolve("bad.db");
    CorruptedDatabase.write(file);
    assertThatThrownBy(() -> Database.open(file)).isInstanceOf(DatabaseCorruptException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("corrupt");
  }
}
