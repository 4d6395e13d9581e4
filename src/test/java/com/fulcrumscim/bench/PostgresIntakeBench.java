package com.fulcrumscim.bench;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake (POST /Users, each a durable commit) with 16 clients against: one node on SQLite, one
 * node on PostgreSQL, two nodes on one PostgreSQL (8 clients each). Receivers run in this JVM on
 * loopback, the cluster is {@code PostgresServer}'s (fsync on) on the same disk; the figures are
 * ratios within one run. Writes bench/results/postgres-intake.txt.
 */
@Tag("bench")
@RequiresPostgres
class PostgresIntakeBench {
  static final int CLIENTS = 16;
  static final long WARM_UP_MS = 3_000;
  static final long RUN_MS = 6_000;

  @TempDir Path dir;
  final BenchReport report = new BenchReport();
  final AtomicInteger names = new AtomicInteger();
  final AtomicLong non2xx = new AtomicLong();

  @Test
  void intakeOnTwoPostgresNodesAgainstOne() throws Exception {
    double[] sqlite = rates(List.of(TestStore.sqlite(dir.resolve("bench.db"))));
    TestStore pgOne = TestStore.freshPostgres();
    double[] onePg = rates(List.of(pgOne));
    TestStore pgTwo = TestStore.freshPostgres();
    double[] twoPg = rates(List.of(pgTwo, pgTwo));

    report.line("%d clients, %d s after %d s warm-up, per second:   POST /Users (create)   PATCH /Users/{id}",
        CLIENTS, RUN_MS / 1000, WARM_UP_MS / 1000);
    report.line("  SQLite, one node:                            %8.0f              %8.0f", sqlite[0], sqlite[1]);
    report.line("  PostgreSQL, one node:                        %8.0f              %8.0f", onePg[0], onePg[1]);
    report.line("  PostgreSQL, two nodes:                       %8.0f              %8.0f", twoPg[0], twoPg[1]);
    report.line("ratios two PG nodes / one PG node: create %.2f, patch %.2f", twoPg[0] / onePg[0], twoPg[1] / onePg[1]);
    report.line("ratios one PG node / SQLite:       create %.2f, patch %.2f", onePg[0] / sqlite[0], onePg[1] / sqlite[1]);
    report.line("non-2xx answers: %d", non2xx.get());
    report.write("postgres-intake.txt");
    assertThat(non2xx.get()).isZero();
  }

  /**
   * Creates, then PATCHes of the created users, per second over {@link #RUN_MS} each, clients spread
   * evenly over one receiver per store given.
   */
  double[] rates(List<TestStore> nodes) throws Exception {
    List<ScimTestServer> servers = new ArrayList<>();
    for (TestStore store : nodes) {
      servers.add(ScimTestServer.start(store, "logging:\n  level: WARN\n", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY));
    }
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      AtomicLong created = new AtomicLong();
      long start = System.currentTimeMillis();
      long measureFrom = start + WARM_UP_MS;
      long end = measureFrom + RUN_MS;
      List<Future<?>> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        ScimHttp http = servers.get(i % servers.size()).http();
        clients.add(pool.submit(() -> {
          while (true) {
            long now = System.currentTimeMillis();
            if (now >= end) {
              return null;
            }
            ScimHttp.Response r = http.post("/Users", user("bench" + names.incrementAndGet() + "@corp.example"));
            if (r.status() != 201) {
              non2xx.incrementAndGet();
            } else {
              ids.add(r.json().path("id").asText());
              if (now >= measureFrom) {
                created.incrementAndGet();
              }
            }
          }
        }));
      }
      for (Future<?> c : clients) {
        c.get();
      }
      double creates = created.get() * 1000.0 / RUN_MS;
      AtomicLong patched = new AtomicLong();
      long patchStart = System.currentTimeMillis();
      long patchFrom = patchStart + WARM_UP_MS;
      long patchEnd = patchFrom + RUN_MS;
      clients.clear();
      for (int i = 0; i < CLIENTS; i++) {
        ScimHttp http = servers.get(i % servers.size()).http();
        clients.add(pool.submit(() -> {
          java.util.Random random = new java.util.Random();
          for (int n = 0; ; n++) {
            long now = System.currentTimeMillis();
            if (now >= patchEnd) {
              return null;
            }
            String id = ids.get(random.nextInt(ids.size()));
            int status = http.patch("/Users/" + id, ScimTestServer.Bodies.patch(
                "{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"G" + random.nextInt() + "\"}")).status();
            if (status != 200) {
              non2xx.incrementAndGet();
            } else if (now >= patchFrom) {
              patched.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> c : clients) {
        c.get();
      }
      return new double[] {creates, patched.get() * 1000.0 / RUN_MS};
    } finally {
      pool.shutdownNow();
      servers.forEach(ScimTestServer::close);
    }
  }
}
