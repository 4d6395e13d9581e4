package com.fulcrumscim.bench;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.PostgresServer;
import com.fulcrumscim.testing.RequiresPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a read costs on PostgreSQL (loopback, one thread): {@code Database.read} of one indexed
 * row and of two, against the same statements on a connection of its own in autocommit, the
 * floor (no pool, no transaction). Blocks of each alternate, so the machine's drifting load falls
 * on all alike; each figure is the median block. Writes bench/results/postgres-read.txt.
 */
@Tag("bench")
@RequiresPostgres
class PostgresReadBench {
  static final int ROWS = 1_000;
  static final int BLOCKS = 60;
  static final int PER_BLOCK = 500;

  final BenchReport report = new BenchReport();

  private interface Body {
    void run() throws Exception;
  }

  @Test
  void oneAndTwoStatementReadsAgainstAutocommit() throws Exception {
    report.line("PostgresReadBench (loopback, one thread, %d blocks of %d)  %s  cores=%d  load %.1f", BLOCKS, PER_BLOCK,
        java.time.Instant.now(), Runtime.getRuntime().availableProcessors(), ScimBench.load());
    PostgresServer.Database pg = PostgresServer.shared().freshDatabase();
    try (Database db = Database.open(new StoreLocation.Postgres(pg.jdbcUrl(), pg.username(), pg.password()));
        Connection floor = pg.connect()) {
      db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?)")) {
          for (int i = 0; i < ROWS; i++) {
            ps.setString(1, "k" + i);
            ps.setString(2, "v" + i);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
      List<String> names = List.of("autocommit, 1 statement", "Database.read, 1 statement", "autocommit, 2 statements",
          "Database.read, 2 statements");
      List<Body> bodies = List.of(
          () -> value(floor),
          () -> db.read(PostgresReadBench::value),
          () -> {
            value(floor);
            value(floor);
          },
          () -> db.read(c -> {
            value(c);
            return value(c);
          }));
      List<List<Double>> blocks = new ArrayList<>();
      for (Body b : bodies) {
        blocks.add(new ArrayList<>());
        time(b, 4 * PER_BLOCK); // warm-up
      }
      for (int block = 0; block < BLOCKS; block++) {
        for (int i = 0; i < bodies.size(); i++) {
          blocks.get(i).add(time(bodies.get(i), PER_BLOCK));
        }
      }
      report.line("");
      report.line("%-32s %12s %12s %12s %10s", "read", "median us", "p25 us", "p75 us", "x floor");
      for (int i = 0; i < bodies.size(); i++) {
        List<Double> sorted = blocks.get(i).stream().sorted().toList();
        double floorMedian = median(blocks.get(i < 2 ? 0 : 2));
        report.line("%-32s %12.1f %12.1f %12.1f %10.2f", names.get(i), median(sorted), sorted.get(sorted.size() / 4),
            sorted.get(3 * sorted.size() / 4), median(sorted) / floorMedian);
      }
      report.line("");
      report.line("load average at the end %.1f", ScimBench.load());
    }
    report.write("postgres-read.txt");
  }

  private static String value(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?")) {
      ps.setString(1, "k" + ThreadLocalRandom.current().nextInt(ROWS));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Microseconds per run of {@code body}, over {@code n} runs. */
  private static double time(Body body, int n) throws Exception {
    long began = System.nanoTime();
    for (int i = 0; i < n; i++) {
      body.run();
    }
    return (System.nanoTime() - began) / 1_000.0 / n;
  }

  private static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }
}
