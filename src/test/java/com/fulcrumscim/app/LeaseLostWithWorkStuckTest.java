package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.RequestStore;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.testing.BlackholeProxy;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that loses its writer lease while an operator request waits on Fulcrum (packets dropped
 * behind a proxy): stopping its writing runs on the lease keeper's thread, so the request's close
 * must not hold that thread for minutes, or the node neither renews nor takes the lease again.
 */
class LeaseLostWithWorkStuckTest {
  static final String LEASE_TTL = "4s";

  @TempDir Path dir;
  FulcrumEmulator fulcrum;
  BlackholeProxy proxy;

  @BeforeEach
  void fulcrumBehindAProxy() {
    fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).callsPerHour(3_600_000).build().start();
    proxy = BlackholeProxy.toServerAt(fulcrum.baseUrl());
  }

  @AfterEach
  void close() {
    proxy.close();
    fulcrum.close();
  }

  @Test
  void aNodeThatLostTheLeaseWithARequestStuckOnFulcrumTakesItAgainOnceFree() throws Exception {
    ScimTestServer server = ScimTestServer.start(TestStore.sqlite(dir.resolve("bridge.db")), "fulcrum:\n  base_url: "
        + proxy.inUrl(fulcrum.baseUrl()) + "\n  api_token: " + fulcrum.token() + "\n  calls_per_hour: 3600000\n"
        + "  read_timeout: 2m\nreconcile:\n  interval: 200ms\nha:\n  lease_ttl: " + LEASE_TTL + "\n",
        Clock.systemUTC(), Bridge.Mode.FULL);
    try (Database db = Database.open(server.store().location())) {
      StopCutShortTest.leadsWithin(server, Duration.ofSeconds(10));
      proxy.blackhole();
      RequestStore requests = new RequestStore(db, Clock.systemUTC());
      long id = requests.submit(OperatorRequest.Kind.RESYNC, null, false);
      while (requests.get(id).orElseThrow().state() != OperatorRequest.State.RUNNING) {
        Thread.sleep(50);
      }
      Thread.sleep(500); // its resync now waits on Fulcrum

      long now = System.currentTimeMillis();
      db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET holder = 'the other node', "
          + "acquired_at = " + now + ", expires_at = " + (now + 60_000)));
      ScimHttp ops = new ScimHttp(server.rootUrl(), "");
      while (ops.get("/healthz").json().path("leader").asBoolean()) {
        Thread.sleep(100);
      }
      Thread.sleep(500); // the keeper now stops this node's writing
      db.write(c -> c.createStatement().executeUpdate("UPDATE writer_lease SET expires_at = " + System.currentTimeMillis()
          + " WHERE holder = 'the other node'"));

      // a keep every third of the lease, after a wait of at most a quarter of it for the request
      StopCutShortTest.leadsWithin(server, Duration.ofSeconds(6));
    } finally {
      proxy.letThrough();
      server.close();
    }
  }
}
