package com.fulcrumscim.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The whole of config.yml, after defaults, environment substitution and validation. */
public record BridgeConfig(
    Server server,
    Storage storage,
    Scim scim,
    Fulcrum fulcrum,
    Reconcile reconcile,
    Users users,
    Roles roles,
    Groups groups,
    Guard guard,
    Resync resync,
    Logging logging,
    Retention retention,
    Ha ha) {

  /**
   * {@code opsPort} 0 serves health and metrics on the SCIM port. {@code publicUrl} (empty: none)
   * is the SCIM base URL clients use, for meta.location; {@code bodyReadTimeout} and
   * {@code maxConcurrentBodies} keep slow uploads from taking every server thread.
   */
  public record Server(String host, int port, int opsPort, long maxBodyBytes, String publicUrl,
      Duration bodyReadTimeout, int maxConcurrentBodies, Tls tls) {
    /** The same with other ports (tests and the demo use 0, which validation refuses). */
    public Server withPorts(int newPort, int newOpsPort) {
      return new Server(host, newPort, newOpsPort, maxBodyBytes, publicUrl, bodyReadTimeout, maxConcurrentBodies, tls);
    }
  }

  /**
   * PEM files; both empty means plain HTTP (behind a TLS-terminating proxy). {@code certificateFrom}
   * and {@code privateKeyFrom}: the text a variable gave each name from ("${TLS_KEY}"), null for a
   * name config.yml writes itself; a message names that text, never a variable's value, which may be
   * the key itself (review-s13e F3).
   */
  public record Tls(String certificate, String privateKey, @JsonIgnore String certificateFrom,
      @JsonIgnore String privateKeyFrom) {
    @JsonCreator
    public Tls(@JsonProperty("certificate") String certificate, @JsonProperty("private_key") String privateKey) {
      this(certificate, privateKey, null, null);
    }

    public boolean enabled() {
      return !certificate.isBlank();
    }
  }

  /**
   * {@code url} empty: the SQLite file at {@code path}. Otherwise a {@code jdbc:postgresql://} URL
   * every node shares, with {@code username} and {@code password} (empty: the driver's defaults).
   * {@code pathFrom}: the text, holding a variable, that {@code path} was expanded from
   * ("${STATE_DIRECTORY}/fulcrum-scim.db"); null for a path config.yml writes out.
   */
  public record Storage(Path path, String url, String username, String password, @JsonIgnore String pathFrom) {
    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://[^/\\s?#]+/[^/\\s?#]+(\\?\\S*)?");

    @JsonCreator
    public Storage(@JsonProperty("path") Path path, @JsonProperty("url") String url,
        @JsonProperty("username") String username, @JsonProperty("password") String password) {
      this(path, url, username, password, null);
    }

    /**
     * {@code problem} with storage.path as a config error against {@code source}. A path a variable gave,
     * or a relative one (~ is not expanded), is named as config.yml writes it and as it is here: the
     * unit's environment and working directory are not an operator shell's, and the file shows only the text.
     */
    public ConfigException pathProblem(String source, String problem) {
      String written = pathFrom != null ? pathFrom : path.isAbsolute() ? null : path.toString();
      return new ConfigException(source, "storage.path",
          (written == null ? "" : written + " (here " + path.toAbsolutePath() + "): ") + problem);
    }

    public boolean postgres() {
      return !url.isBlank();
    }

    /** Whether {@code url} has the shape jdbc:postgresql://HOST[:PORT]/DATABASE[?...]. */
    public static boolean isPostgresUrl(String url) {
      return POSTGRES_URL.matcher(url).matches();
    }

    /** For messages: the file or the URL without its query, never the password. */
    public String describe() {
      return postgres() ? withoutQuery(url) : path.toAbsolutePath().toString();
    }

    /** {@code url} for messages and logs: the driver takes password=... in the query, so none of it is shown. */
    static String withoutQuery(String url) {
      int query = url.indexOf('?');
      return query < 0 ? url : url.substring(0, query) + "?...";
    }
  }

  BridgeConfig withTls(Tls t) {
    return new BridgeConfig(new Server(server.host(), server.port(), server.opsPort(), server.maxBodyBytes(),
        server.publicUrl(), server.bodyReadTimeout(), server.maxConcurrentBodies(), t), storage, scim, fulcrum, reconcile,
        users, roles, groups, guard, resync, logging, retention, ha);
  }

  BridgeConfig withStorage(Storage s) {
    return new BridgeConfig(server, s, scim, fulcrum, reconcile, users, roles, groups, guard, resync, logging, retention, ha);
  }

  BridgeConfig withFulcrum(Fulcrum f) {
    return new BridgeConfig(server, storage, scim, f, reconcile, users, roles, groups, guard, resync, logging, retention, ha);
  }

  /** {@code tokenHashes} are SHA-256 hex digests of the bearer tokens Okta or Entra present. */
  public record Scim(List<String> tokenHashes, int maxPageSize, int authFailuresPerMinute) {}

  /** {@code baseUrl} is {@value #EMBEDDED} (an in-process emulator) or Fulcrum's https URL. */
  public record Fulcrum(
      String baseUrl,
      String apiToken,
      String apiTokenFile,
      int callsPerHour,
      Duration connectTimeout,
      Duration readTimeout,
      String emulatorSeed) {
    public static final String EMBEDDED = "embedded";

    public boolean embedded() {
      return EMBEDDED.equals(baseUrl);
    }

    /**
     * Where {@code token} holds its first character an HTTP header cannot carry (a control
     * character, a space, anything beyond ASCII); -1 when it has none. The one rule for the
     * config check and for the client, so check refuses what serve would.
     */
    public static int unsendableAt(String token) {
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          return i;
        }
      }
      return -1;
    }

    /** The same settings with {@code token} as the API token (read from {@code apiTokenFile}). */
    Fulcrum withApiToken(String token) {
      return new Fulcrum(baseUrl, token, apiTokenFile, callsPerHour, connectTimeout, readTimeout, emulatorSeed);
    }

    @Override
    public String toString() {
      return "Fulcrum[baseUrl=" + baseUrl + ", apiToken=" + (apiToken.isEmpty() ? "" : "<redacted>") + "]";
    }
  }

  public record Reconcile(Duration interval, int parallelism, int batchSize, Duration retryBudget) {}

  /** {@code reassignRecordsTo} empty: a removed member's records are left unassigned. */
  public record Users(boolean adoptExisting, String reassignRecordsTo) {
    /** The membership that receives removed members' records; null when they stay unassigned. */
    public String reassignTarget() {
      return reassignRecordsTo == null || reassignRecordsTo.isBlank() ? null : reassignRecordsTo.strip();
    }
  }

  /**
   * {@code map}: role name Okta sends → Fulcrum role name. {@code defaultRole} empty: Fulcrum's
   * default; it is given only when a member is created. {@code allowOwner}: whether Okta may grant Owner.
   */
  public record Roles(@JsonProperty("default") String defaultRole, Map<String, String> map, boolean allowOwner) {
    /**
     * Whether a role of this name is Fulcrum's Owner role: any so named, in any case. Here, where the
     * config checks it, and the one rule the fulcrum package's FulcrumRole also applies.
     */
    public static boolean namesOwner(String roleName) {
      return roleName != null && roleName.strip().equalsIgnoreCase("Owner");
    }
  }

  public record Groups(boolean push) {}

  /** Removals over the trailing {@code window} beyond max(minimum, percent of managed members) are held. */
  public record Guard(int massRemovalPercent, int massRemovalMinimum, Duration window) {}

  /** {@code schedule}: a Quartz cron expression; empty turns the scheduled resync off. */
  public record Resync(String schedule) {}

  /**
   * How long journal rows (the SCIM requests, bodies included) and reconciler audit rows are kept;
   * zero keeps them forever. Rows a change still waiting for Fulcrum needs are kept regardless.
   */
  public record Retention(Duration journal, Duration audit) {
    public boolean prunes() {
      return !journal.isZero() || !audit.isZero();
    }
  }

  /**
   * Several nodes on one database: {@code leaseTtl} is how long the reconciling node's lease lives
   * without renewal, so a dead node is replaced within it plus one renew interval (a third of it).
   */
  public record Ha(Duration leaseTtl) {}

  /** {@code format}: text or json. */
  public record Logging(String format, String level) {}
}
