package com.fulcrumscim.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
    Logging logging) {

  /** {@code opsPort} 0 serves health and metrics on the SCIM port. */
  public record Server(String host, int port, int opsPort, long maxBodyBytes, Tls tls) {}

  /** PEM files; both empty means plain HTTP (behind a TLS-terminating proxy). */
  public record Tls(String certificate, String privateKey) {
    public boolean enabled() {
      return !certificate.isBlank();
    }
  }

  public record Storage(Path path) {}

  BridgeConfig withFulcrum(Fulcrum f) {
    return new BridgeConfig(server, storage, scim, f, reconcile, users, roles, groups, guard, resync, logging);
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
  public record Users(boolean adoptExisting, String reassignRecordsTo) {}

  /** {@code map}: role name Okta sends → Fulcrum role name. {@code defaultRole} empty: Fulcrum's default. */
  public record Roles(@JsonProperty("default") String defaultRole, Map<String, String> map) {}

  public record Groups(boolean push) {}

  public record Guard(int massRemovalPercent, int massRemovalMinimum) {}

  /** {@code schedule}: a Quartz cron expression; empty turns the scheduled resync off. */
  public record Resync(String schedule) {}

  /** {@code format}: text or json. */
  public record Logging(String format, String level) {}
}
