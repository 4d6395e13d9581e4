package com.fulcrumscim.testing;

import com.fulcrumscim.db.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for the suites that run against PostgreSQL (issue 13): one per test
 * JVM, shared by every test class, started on first use in a temp dir on a free loopback port, and
 * stopped and deleted by a shutdown hook. The cluster (data and write-ahead log) is in memory where
 * the machine allows ({@link MemoryTempDirs}): every commit waits for the log's fdatasync, 4-6 ms each
 * on this project's disk. Each test takes its own database: a copy of the migrated template from
 * {@link #migratedDatabase}, or an empty one from {@link #freshDatabase} where the migrations or an
 * empty store are what it tests. Guard classes that use it with {@link RequiresPostgres}: it drops
 * each test's databases when the test is over ({@link DropsTestDatabases}), so they do not pile up
 * in memory (about 10 MB each, hundreds in a suite).
 *
 * <pre>{@code
 * @RequiresPostgres
 * class StoreOnPostgresTest {
 *   PostgresServer.Database db = PostgresServer.shared().migratedDatabase();
 *
 *   @Test
 *   void ... {
 *     try (Connection c = db.connect()) { ... }   // or hand db.jdbcUrl(), username(), password() to the bridge
 *   }
 * }
 * }</pre>
 */
public final class PostgresServer {
  /** An empty database owned by an ordinary role of its own (no superuser), as the bridge gets in production. */
  public record Database(String jdbcUrl, String username, String password) {
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(jdbcUrl, username, password);
    }
  }

  private static final String ADMIN = "fulcrum_admin";
  private static final long STEP_TIMEOUT_SECONDS = 60;
  private static final int LOG_TAIL_LINES = 25;
  private static final SecureRandom RANDOM = new SecureRandom();

  private static PostgresServer shared;
  private static RuntimeException failedStart;

  private final Path dir;
  private final Path bin;
  private final ClusterOwner owner;
  private final int port;
  private final String adminPassword = secret();
  private final AtomicInteger databases = new AtomicInteger();
  /**
   * Whether the cluster is in memory. It decides how {@code CREATE DATABASE} copies its template
   * (template1 or the migrated one): FILE_COPY copies the files between two checkpoints, 112 ms a
   * copy in memory against 265 ms for WAL_LOG, which writes the whole copy to the log; on a disk
   * WAL_LOG (442 ms) beats FILE_COPY (2.7 s: the checkpoints wait for the disk). And whether a
   * test's databases are dropped when it is over: they would fill the memory, and on a disk each
   * drop's checkpoint would cost as much as FILE_COPY's, where the space is there.
   */
  private final boolean inMemory;
  /** The databases made and not dropped, by number: {@link #dropMadeAfter} finds a test's here. */
  private final ConcurrentSkipListMap<Integer, Made> live = new ConcurrentSkipListMap<>();
  /** The database {@link #migratedDatabase()} copies; made on first use. */
  private Database migrated;

  /** A database {@link #freshDatabase} or {@link #migratedDatabase} made, and the thread that asked for it. */
  private record Made(String name, Thread by) {}

  private PostgresServer(Path dir, Path bin, ClusterOwner owner, int port, boolean inMemory) {
    this.dir = dir;
    this.bin = bin;
    this.owner = owner;
    this.port = port;
    this.inMemory = inMemory;
  }

  /** Whether this machine has PostgreSQL's server programs (see {@link PostgresBinaries}). */
  public static boolean available() {
    return PostgresBinaries.directory().isPresent();
  }

  /** This JVM's cluster, started by the first call. */
  public static synchronized PostgresServer shared() {
    if (failedStart != null) {
      throw failedStart; // one slow failing start per JVM, not one per test class
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        failedStart = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-test-cluster-stop"));
    }
    return shared;
  }

  /** A new empty database with a name, role and password no other call gets. */
  public Database freshDatabase() {
    return freshDatabase(null);
  }

  /**
   * As {@link #freshDatabase()}, with {@code locale} (such as C.utf8) as the database's default
   * instead of the cluster's C: case folding of text outside the schema's columns then follows it.
   */
  public Database freshDatabase(String locale) {
    int number = databases.incrementAndGet();
    Database made = create(number, locale);
    live.put(number, new Made(made.username(), Thread.currentThread()));
    return made;
  }

  private Database create(int number, String locale) {
    String name = "fulcrum_test_" + number;
    String password = secret();
    try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"), ADMIN, adminPassword);
        Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
      s.execute("CREATE DATABASE " + name + " OWNER " + name
          + (locale == null ? "" : " TEMPLATE template0 LOCALE '" + locale + "'") + copyStrategy());
      // Every role may connect to every database by default; a test must not be able to see another's.
      s.execute("REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + " on " + jdbcUrl("postgres"), e);
    }
    return new Database(jdbcUrl(name), name, password);
  }

  /**
   * A new database holding this build's schema, with a name, role and password of its own as
   * {@link #freshDatabase()}'s: a copy of one migrated once per JVM. Each test is spared running the
   * migrations (about half a second each, over hundreds of tests on a loaded machine); tests of
   * migrating itself, and of a store another release made, take {@link #freshDatabase()}.
   */
  public Database migratedDatabase() {
    Database source = migrated();
    int number = databases.incrementAndGet();
    String name = "fulcrum_test_" + number;
    String password = secret();
    try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"), ADMIN, adminPassword);
        Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
      s.execute("CREATE DATABASE " + name + " OWNER " + name + " TEMPLATE " + source.username()
          + copyStrategy());
      s.execute("REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC");
    } catch (SQLException e) {
      throw new IllegalStateException("could not copy database " + source.username() + " to " + name, e);
    }
    // the copy's tables and sequences are the source role's: its own role must own them, as after migrating
    try (Connection admin = DriverManager.getConnection(jdbcUrl(name), ADMIN, adminPassword);
        Statement s = admin.createStatement()) {
      s.execute("REASSIGN OWNED BY " + source.username() + " TO " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not give database " + name + " to its role", e);
    }
    live.put(number, new Made(name, Thread.currentThread()));
    return new Database(jdbcUrl(name), name, password);
  }

  private String copyStrategy() {
    return " STRATEGY " + (inMemory ? "FILE_COPY" : "WAL_LOG");
  }

  /** How many databases this JVM's cluster has made so far (0 before it starts): a mark for {@link #dropMadeAfter}. */
  static synchronized int made() {
    return shared == null ? 0 : shared.databases.get();
  }

  /**
   * Drops the databases made after {@code mark} (only those {@code by} asked for, unless null) and
   * their roles, on a cluster in memory; FORCE ends any session still open on them, as a test's
   * bridge left behind.
   */
  static void dropMadeAfter(int mark, Thread by) {
    PostgresServer server;
    synchronized (PostgresServer.class) {
      server = shared;
    }
    if (server != null && server.inMemory) {
      server.drop(mark, by);
    }
  }

  private void drop(int mark, Thread by) {
    List<Integer> numbers = live.tailMap(mark, false).entrySet().stream()
        .filter(e -> by == null || e.getValue().by() == by).map(Map.Entry::getKey).toList();
    if (numbers.isEmpty()) {
      return;
    }
    try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"), ADMIN, adminPassword);
        Statement s = admin.createStatement()) {
      for (int number : numbers) {
        String name = live.get(number).name();
        s.execute("DROP DATABASE " + name + " WITH (FORCE)");
        s.execute("DROP ROLE " + name);
        live.remove(number);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop the test databases " + numbers + " on " + jdbcUrl("postgres"), e);
    }
  }

  private synchronized Database migrated() {
    if (migrated == null) {
      Database source = create(databases.incrementAndGet(), null); // kept: not among the live ones a test drops
      com.fulcrumscim.db.Database.open(new StoreLocation.Postgres(source.jdbcUrl(), source.username(), source.password()))
          .close();
      try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"), ADMIN, adminPassword);
          Statement s = admin.createStatement()) {
        // copies reassign what the source role owns: the database itself must not be among it
        s.execute("ALTER DATABASE " + source.username() + " OWNER TO " + ADMIN);
      } catch (SQLException e) {
        throw new IllegalStateException("could not keep database " + source.username() + " as a template", e);
      }
      migrated = source;
    }
    return migrated;
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private static PostgresServer start() {
    Path bin = PostgresBinaries.directory().orElseThrow(() -> new IllegalStateException(
        "no PostgreSQL server programs found (looked in " + PostgresBinaries.searched() + ")"));
    Path dir;
    try {
      dir = MemoryTempDirs.newDirectory("fulcrum-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL test cluster: no temp dir: " + e.getMessage(), e);
    }
    ClusterOwner owner;
    int port;
    try {
      owner = ClusterOwner.forDirectory(dir);
      port = BridgeProcess.freePort();
    } catch (IOException e) {
      deleteTree(dir);
      throw new IllegalStateException("PostgreSQL test cluster did not start: " + e.getMessage(), e);
    }
    PostgresServer server = new PostgresServer(dir, bin, owner, port, MemoryTempDirs.inMemory(dir));
    try {
      server.initAndStart();
      return server;
    } catch (IOException e) {
      String failure = "PostgreSQL test cluster did not start: " + e.getMessage() + " (as user " + owner.name()
          + ", port " + port + ", in " + dir + ", now removed)\n" + server.logTails();
      server.stop();
      throw new IllegalStateException(failure, e);
    }
  }

  private void initAndStart() throws IOException {
    Path passwordFile = dir.resolve("admin.pw");
    Files.writeString(passwordFile, adminPassword);
    owner.take(dir);
    // C locale: text sorts by bytes as in SQLite, so paging orders match across the two stores.
    run("initdb", "-D", data().toString(), "-U", ADMIN, "--pwfile=" + passwordFile, "--no-instructions",
        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C");
    // fsync and synchronous_commit on: the bridge acknowledges a change only once it is durable, and
    // its tests must run against a server that keeps that promise, whatever the defaults say (the
    // server waits for every fsync; in the build, those of the log return as soon as memory has it).
    run("pg_ctl", "-D", data().toString(), "-l", serverLog().toString(), "-w", "-t", String.valueOf(STEP_TIMEOUT_SECONDS),
        "-o", "-p " + port + " -k '" + dir + "' -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on",
        "start");
  }

  /** Throws away the cluster: no shutdown checkpoint, its data is not wanted. */
  private void stop() {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        run("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
      }
    } catch (IOException e) {
      System.err.println("PostgreSQL test cluster in " + dir + " did not stop: " + e.getMessage());
    }
    removeInBackground(dir);
  }

  /**
   * Removes the cluster's dir in a process of its own, which outlives this JVM: after a suite it
   * holds hundreds of databases, gigabytes of files, and deleting them in this shutdown hook took
   * longer than surefire waits for a test JVM to exit (30 s): it killed the JVM half way, which left
   * the rest on the disk (several GB a run) and cost every run those 30 s.
   */
  private static void removeInBackground(Path root) {
    try {
      new ProcessBuilder("rm", "-rf", root.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      deleteTree(root);
    }
  }

  /**
   * Runs one of the cluster's programs as its owner. Output goes to a file, not a pipe: pg_ctl leaves
   * the server running in the background, and a server holding our pipe would keep us waiting forever.
   */
  private void run(String program, String... args) throws IOException {
    List<String> command = Stream.concat(Stream.of(bin.resolve(program).toString()), Stream.of(args)).toList();
    Process p = new ProcessBuilder(owner.run(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(setupLog().toFile())).start();
    try {
      if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("`" + String.join(" ", command) + "` did not finish within " + STEP_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("`" + String.join(" ", command) + "` interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("`" + String.join(" ", command) + "` exited with " + p.exitValue());
    }
  }

  private String logTails() {
    return tail(setupLog()) + tail(serverLog());
  }

  private static String tail(Path log) {
    try {
      // Decoded leniently: a log cut off mid-character must still be shown.
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return "--- last lines of " + log.getFileName() + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) + "\n";
    } catch (IOException e) {
      return "--- no " + log.getFileName() + " ---\n";
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private Path setupLog() {
    return dir.resolve("setup.log");
  }

  private Path serverLog() {
    return dir.resolve("server.log");
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not remove the PostgreSQL test cluster's dir " + root + ": " + e.getMessage());
    }
  }

  private static String secret() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
