package com.fulcrumscim.testing;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.scim.ScimServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.function.UnaryOperator;

/**
 * The real bridge on a loopback port of its own with a SQLite file in a test directory, and a
 * client that holds the test token (given as FULCRUM_SCIM_TOKEN).
 */
public final class ScimTestServer implements AutoCloseable {
  public static final String TOKEN = "test-token-1f3a9c4e7b2d8056a1c3e9f7";

  /** The config of a bridge aimed at the Fulcrum at {@code baseUrl}, calls unpaced, reconciling every 200 ms. */
  public static String fulcrumAt(String baseUrl, String apiToken) {
    return """
        fulcrum:
          base_url: %s
          api_token: %s
          calls_per_hour: 3600000
        reconcile:
          interval: 200ms
        """.formatted(baseUrl, apiToken);
  }

  private final Bridge bridge;
  private final TestStore store;

  private ScimTestServer(Bridge bridge, TestStore store) {
    this.bridge = bridge;
    this.store = store;
  }

  public static ScimTestServer start(Path dir) {
    return start(dir, "", Clock.systemUTC());
  }

  /** {@code yaml}: extra config.yml text (storage.path is set here); server.port is always 0. */
  public static ScimTestServer start(Path dir, String yaml, Clock clock) {
    return start(dir, yaml, clock, Bridge.Mode.RECEIVER_ONLY);
  }

  /** The same with the reconciler too ({@code Bridge.Mode.FULL}), aimed at the Fulcrum the yaml names. */
  public static ScimTestServer start(Path dir, String yaml, Clock clock, Bridge.Mode mode) {
    return start(TestStore.sqlite(dir.resolve("bridge.db")), yaml, clock, mode);
  }

  /** The same on {@code store} (a SQLite file or a PostgreSQL database). */
  public static ScimTestServer start(TestStore store, String yaml, Clock clock, Bridge.Mode mode) {
    BridgeConfig parsed = new ConfigLoader(name -> null).parse("test", store.yaml() + yaml);
    BridgeConfig config = withPort(parsed, 0);
    Bridge bridge = new Bridge(config, env("FULCRUM_SCIM_TOKEN", TOKEN), clock, new SecureRandom(), mode).start();
    return new ScimTestServer(bridge, store);
  }

  private static UnaryOperator<String> env(String name, String value) {
    return n -> n.equals(name) ? value : null;
  }

  /** The config with another port; 0 (any free port) is what config validation refuses but tests need. */
  public static BridgeConfig withPort(BridgeConfig c, int port) {
    BridgeConfig.Server s = c.server();
    return new BridgeConfig(s.withPorts(port, s.opsPort()),
        c.storage(), c.scim(), c.fulcrum(), c.reconcile(), c.users(), c.roles(), c.groups(), c.guard(), c.resync(),
        c.logging(), c.retention(), c.ha());
  }

  public ScimHttp http() {
    return new ScimHttp(baseUrl(), "Bearer " + TOKEN);
  }

  public String baseUrl() {
    return bridge.scimBaseUrl();
  }

  /** http://host:port, where /healthz, /readyz and /metrics live (server.ops_port 0). */
  public String rootUrl() {
    return baseUrl().substring(0, baseUrl().length() - ScimServer.BASE_PATH.length());
  }

  /** The daemon itself (its embedded emulator, its SCIM port). */
  public Bridge bridge() {
    return bridge;
  }

  /** The SQLite file (a test on SQLite only). */
  public Path database() {
    return store.file();
  }

  public TestStore store() {
    return store;
  }

  @Override
  public void close() {
    bridge.stop();
  }

  /**
   * One server for all tests of a class: {@code @RegisterExtension static final ScimTestServer.PerClass
   * server = new ScimTestServer.PerClass();}. Tests share its data, so they use unique names.
   */
  public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private final boolean postgres;
    private Path dir;
    private ScimTestServer server;

    /** On a SQLite file in a temp dir. */
    public PerClass() {
      this(false);
    }

    /** {@code postgres}: on a fresh PostgreSQL database instead (the ...OnPostgresTest suites). */
    public PerClass(boolean postgres) {
      this.postgres = postgres;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
      dir = MemoryTempDirs.newDirectory("scim-test");
      TestStore store = postgres ? TestStore.freshPostgres() : TestStore.sqlite(dir.resolve("bridge.db"));
      server = ScimTestServer.start(store, "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
      server.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }

    public ScimHttp http() {
      return server.http();
    }

    public String baseUrl() {
      return server.baseUrl();
    }
  }

  /** Request bodies as Okta sends them. */
  public static final class Bodies {
    private Bodies() {}

    public static String user(String userName) {
      return user(userName, "Test", "User", true);
    }

    public static String user(String userName, String given, String family, boolean active) {
      return user(userName, userName, given, family, active);
    }

    public static String user(String userName, String email, String given, String family, boolean active) {
      return """
          {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%1$s",
           "name":{"givenName":"%2$s","familyName":"%3$s"},
           "emails":[{"primary":true,"value":"%5$s","type":"work"}],
           "displayName":"%2$s %3$s","locale":"en-US","externalId":"ext-%1$s",
           "groups":[],"password":"1mz050nq","active":%4$s}
          """.formatted(userName, given, family, active, email);
    }

    public static String group(String displayName, String... memberIds) {
      StringBuilder members = new StringBuilder();
      for (String id : memberIds) {
        members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
      }
      return """
          {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[%s]}
          """.formatted(displayName, members);
    }

    /** A PatchOp request with the given operation objects. */
    public static String patch(String... operations) {
      return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":["
          + String.join(",", operations) + "]}";
    }
  }
}
