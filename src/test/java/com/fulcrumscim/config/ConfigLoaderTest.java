package com.fulcrumscim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  final ConfigLoader loader = new ConfigLoader(Map.of("FULCRUM_API_TOKEN", "tok-123")::get);

  @Test
  void anEmptyFileMeansTheDefaults() {
    BridgeConfig c = loader.parse("config.yml", "");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.fulcrum().embedded()).isTrue();
    assertThat(c.reconcile().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.reconcile().retryBudget()).isEqualTo(Duration.ofHours(24));
    assertThat(c.groups().push()).isTrue();
  }

  @Test
  void theShippedConfigLoadsAndMatchesTheDefaults() {
    BridgeConfig shipped = new ConfigLoader(name -> null).load(Path.of("config.yml"));
    assertThat(shipped).isEqualTo(loader.defaults());
  }

  @Test
  void environmentVariablesExpand() {
    BridgeConfig c = loader.parse("config.yml",
        "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token: ${FULCRUM_API_TOKEN}\n");
    assertThat(c.fulcrum().apiToken()).isEqualTo("tok-123");
  }

  @Test
  void anUnsetVariableNamesTheKeyAndTheVariable() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  api_token: ${NOPE}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config.yml: fulcrum.api_token: environment variable NOPE is not set (write ${NOPE:-} to allow empty)");
  }

  /** review-s12b F6: the file shows only the variable; the mistake is in the environment, whose value may be a secret. */
  @Test
  void aVariableGivingAValueOfTheWrongTypeIsNamedButItsValueIsNotPrinted() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("FULCRUM_SCIM_PORT", "808O")::get).parse("c2.yml",
        "server:\n  port: ${FULCRUM_SCIM_PORT:-18500}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("c2.yml: server.port: ${FULCRUM_SCIM_PORT:-18500} (its value not shown): must be a whole number");
  }

  /** review-s12d F2, s12e F1: a token given to a list, a number or a duration by mistake is named by its variable, never printed. */
  @Test
  void aVariableGivingAListItsWrongValueIsNamedButItsValueIsNotPrinted() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("FULCRUM_SCIM_TOKEN", "s3cretBearerTokenValue")::get).parse("c2.yml",
        "scim:\n  token_hashes: ${FULCRUM_SCIM_TOKEN}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("c2.yml: scim.token_hashes: ${FULCRUM_SCIM_TOKEN} (its value not shown): must be a list")
        .hasMessageNotContaining("s3cret");
    for (String key : List.of("server:\n  port", "ha:\n  lease_ttl")) {
      assertThatThrownBy(() -> new ConfigLoader(Map.of("FULCRUM_SCIM_TOKEN", "s3cretBearerTokenValue")::get).parse("c2.yml",
          key + ": ${FULCRUM_SCIM_TOKEN}\n"))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("${FULCRUM_SCIM_TOKEN} (its value not shown): ")
          .hasMessageNotContaining("s3cret");
    }
  }

  /**
   * review-s13a F-D: the checks after mapping quoted the value too: swapped variables printed the
   * Fulcrum API token, a libpq URL its password; the line names the variable alone.
   */
  @Test
  void aVariableGivingAValueAKeyRefusesIsNamedButItsValueIsNotPrinted() {
    String secret = "s3cret+Bearer/Token=";
    for (String yaml : List.of("server:\n  host: ${FULCRUM_API_TOKEN}\n",
        "fulcrum:\n  base_url: ${FULCRUM_API_TOKEN}\n  api_token: t\n",
        "fulcrum:\n  base_url: http://${FULCRUM_API_TOKEN}.example.com\n  api_token: t\n",
        "fulcrum:\n  base_url: https://fulcrum.example.com\n  api_token_file: ${FULCRUM_API_TOKEN}\n",
        "resync:\n  schedule: ${FULCRUM_API_TOKEN}\n",
        "storage:\n  url: ${FULCRUM_API_TOKEN}\n")) {
      assertThatThrownBy(() -> new ConfigLoader(Map.of("FULCRUM_API_TOKEN", secret)::get).parse("c2.yml", yaml))
          .as(yaml)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("${FULCRUM_API_TOKEN}")
          .hasMessageContaining("its value not shown")
          .hasMessageNotContaining(secret);
    }
  }

  /** review-s13d 1: the key itself in a variable was printed whole as the name of a file not found. */
  @Test
  void aTlsKeysPemTextGivenForItsFileIsRefusedWithoutShowingIt() {
    String pem = "-----BEGIN PRIVATE KEY-----\nMIIEs3cretKeyMaterial\n-----END PRIVATE KEY-----\n";
    assertThatThrownBy(() -> new ConfigLoader(Map.of("TLS_KEY", pem)::get).parse("c2.yml",
        "server:\n  tls:\n    certificate: /etc/fulcrum-scim/cert.pem\n    private_key: ${TLS_KEY}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("c2.yml: server.tls.private_key: ${TLS_KEY} (its value not shown): must name a PEM file, not hold its"
            + " text (keep the key in a file the service's user may read)");
  }

  /** review-s13e F3: a DER key base64'd onto one line ("MII...") holds no newline and no "-----BEGIN". */
  @Test
  void aTlsKeysDerBase64dIntoAVariableIsRefusedWithoutShowingIt() {
    String der = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7s3cretKeyMaterialOfAnRsaKeyEncodedInBase64";
    assertThatThrownBy(() -> new ConfigLoader(Map.of("TLS_KEY", der)::get).parse("c2.yml",
        "server:\n  tls:\n    certificate: /etc/fulcrum-scim/cert.pem\n    private_key: ${TLS_KEY}\n"))
        .hasMessage("c2.yml: server.tls.private_key: ${TLS_KEY} (its value not shown): must name a PEM file, not hold its"
            + " text (keep the key in a file the service's user may read)");
  }

  /** Longer than any file system takes a file's name: text, not a name, and printed whole as a file not found. */
  @Test
  void aFileNameWithAPartLongerThanAFileSystemTakesIsRefused() {
    String hex = "ab12".repeat(64) + "/cert.pem";
    assertThatThrownBy(() -> new ConfigLoader(Map.of("TLS_CERT", hex)::get).parse("c2.yml",
        "server:\n  tls:\n    certificate: ${TLS_CERT}\n    private_key: /etc/fulcrum-scim/key.pem\n"))
        .hasMessageStartingWith("c2.yml: server.tls.certificate: ${TLS_CERT} (its value not shown): must name a PEM file")
        .hasMessageNotContaining("ab12");
  }

  /** Where a variable gave a TLS file's name is the loader's to record, not a key config.yml may set. */
  @Test
  void whereATlsFileNameCameFromIsNoKey() {
    assertThatThrownBy(() -> loader.parse("c2.yml", "server:\n  tls:\n    private_key_from: x\n"))
        .hasMessageStartingWith("c2.yml: server.tls.private_key_from: unknown key");
  }

  @Test
  void aStoragePathHoldingABase64dKeyIsRefusedWithoutShowingIt() {
    String pem = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9J";
    assertThatThrownBy(() -> new ConfigLoader(Map.of("DB_PATH", pem)::get).parse("c2.yml", "storage:\n  path: ${DB_PATH}\n"))
        .hasMessage("c2.yml: storage.path: ${DB_PATH} (its value not shown): must name the SQLite file, not hold text");
  }

  @Test
  void aStoragePathBeginningWithATildeIsRefusedNotTakenAsADirectoryNamedTilde() {
    assertThatThrownBy(() -> loader.parse("c2.yml", "storage:\n  path: ~/fulcrum-scim.db\n"))
        .hasMessageStartingWith("c2.yml: storage.path: ~ is not expanded here (no shell reads config.yml): write the full"
            + " path, or ${HOME}/...");
  }

  @Test
  void aStoragePathBeginningWithAUsersTildeIsRefusedNotTakenAsADirectoryNamedSo() {
    assertThatThrownBy(() -> loader.parse("c2.yml", "storage:\n  path: ~fulcrum/fulcrum-scim.db\n"))
        .hasMessageStartingWith("c2.yml: storage.path: ~ is not expanded here");
  }

  @Test
  void aTlsFileBeginningWithAUsersTildeIsRefused() {
    assertThatThrownBy(() -> loader.parse("c2.yml",
        "server:\n  tls:\n    certificate: /etc/fulcrum-scim/cert.pem\n    private_key: ~fulcrum/key.pem\n"))
        .hasMessageStartingWith("c2.yml: server.tls.private_key: ~ is not expanded here");
  }

  @Test
  void aTlsFileBeginningWithATildeIsRefused() {
    assertThatThrownBy(() -> loader.parse("c2.yml",
        "server:\n  tls:\n    certificate: ~/cert.pem\n    private_key: /etc/fulcrum-scim/key.pem\n"))
        .hasMessageStartingWith("c2.yml: server.tls.certificate: ~ is not expanded here");
  }

  @Test
  void aValueWrittenInTheFileIsQuotedInItsLine() {
    assertThatThrownBy(() -> loader.parse("c2.yml", "resync:\n  schedule: every night\n"))
        .hasMessage("c2.yml: resync.schedule: not a valid Quartz cron expression (seconds minutes hours day-of-month "
            + "month day-of-week), got 'every night'");
  }

  /** A PaaS's libpq URL (user:password@host) is refused first, without its text, wherever it came from. */
  @Test
  void aStorageUrlHoldingAPasswordIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> loader.parse("c2.yml", "storage:\n  url: jdbc:postgresql://bridge:s3cretPw@db:5432/fulcrum\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("c2.yml: storage.url: must not hold a user name or password (give them in storage.username and "
            + "storage.password)");
  }

  @Test
  void aFallbackCoversAnUnsetVariable() {
    assertThat(loader.parse("c", "storage:\n  path: ${DATA_DIR:-/var/lib/x}/b.db\n").storage().path())
        .isEqualTo(Path.of("/var/lib/x/b.db"));
  }

  @Test
  void aPostgresUrlSelectsPostgresWithThePasswordFromTheEnvironment() {
    BridgeConfig c = new ConfigLoader(n -> n.equals("PGPASSWORD") ? "s3cret" : null).parse("config.yml",
        "storage:\n  url: jdbc:postgresql://db.internal:5432/fulcrum\n  username: bridge\n  password: ${PGPASSWORD}\n");
    assertThat(c.storage().postgres()).isTrue();
    assertThat(c.storage().password()).isEqualTo("s3cret");
    assertThat(loader.defaults().storage().postgres()).as("no url: SQLite at storage.path").isFalse();
  }

  @Test
  void aStorageUrlThatIsNotPostgresGetsOneLine() {
    assertThatThrownBy(() -> loader.parse("config.yml", "storage:\n  url: jdbc:mysql://db/fulcrum\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config.yml: storage.url: must be empty (SQLite at storage.path) or "
            + "jdbc:postgresql://HOST[:PORT]/DATABASE, got 'jdbc:mysql://db/fulcrum'");
  }

  @Test
  void aBadStorageUrlIsShownWithoutItsQueryWhichMayHoldAPassword() {
    assertThatThrownBy(() -> loader.parse("config.yml", "storage:\n  url: jdbc:mysql://db/fulcrum?user=b&password=hunter2\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith("got 'jdbc:mysql://db/fulcrum?...'")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void theStorageDescriptionLeavesOutAPasswordInTheUrl() {
    BridgeConfig c = loader.parse("config.yml", "storage:\n  url: jdbc:postgresql://db:5432/fulcrum?password=hunter2\n");
    assertThat(c.storage().describe()).isEqualTo("jdbc:postgresql://db:5432/fulcrum?...");
  }

  @Test
  void anUnknownKeyIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  prot: 9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config.yml: server.prot: unknown key");
  }

  @Test
  void aWordWhereANumberBelongsSaysANumberIsNeededInPlainWords() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  port: lots\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config.yml: server.port: must be a whole number");
  }

  @Test
  void aFileThatIsNotUtf8IsNamedWithTheFirstByteThatIsNot(@TempDir Path etc) throws Exception {
    Path config = Files.write(etc.resolve("bin.yml"), new byte[] {'s', 'e', 'r', 'v', 'e', 'r', ':', '\n', ' ', ' ', (byte) 0xff, (byte) 0xfe});
    assertThatThrownBy(() -> loader.load(config)).isInstanceOf(ConfigException.class)
        .hasMessage(config + ": is not UTF-8 text (byte 11)");
  }

  @Test
  void anUndefinedAliasIsAConfigErrorNotItsName() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  ops_port: *b\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config.yml:2:13: undefined alias *b");
  }

  @Test
  void aDefinedAliasIsRefusedTooForJacksonWouldReadItAsItsName() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  port: &p 9000\n  ops_port: *p\n"))
        .hasMessage("config.yml:3:13: alias *p: the config takes no YAML aliases; write the value out");
  }

  @Test
  void aWordWhereTrueOrFalseBelongsSaysSo() {
    assertThatThrownBy(() -> loader.parse("config.yml", "groups:\n  push: sometimes\n"))
        .hasMessage("config.yml: groups.push: must be true or false");
  }

  @Test
  void aSingleValueWhereAListBelongsSaysAListIsNeededWithAnExample() {
    assertThatThrownBy(() -> loader.parse("config.yml", "scim:\n  token_hashes: abc\n"))
        .hasMessage("config.yml: scim.token_hashes: must be a list, e.g. [\"first\", \"second\"]");
  }

  @Test
  void aListWhereASectionBelongsIsCalledAList() {
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map: [a, b]\n"))
        .hasMessage("config.yml: roles.map: must be a section of keys, not a list");
  }

  @Test
  void aBadDurationIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "reconcile:\n  interval: soon\n"))
        .hasMessageContaining("reconcile.interval").hasMessageContaining("not a duration");
  }

  @Test
  void theLeaseLivesFifteenSecondsByDefaultAndThreeSecondsToTwoMinutesWhenSet() {
    assertThat(loader.defaults().ha().leaseTtl()).isEqualTo(Duration.ofSeconds(15));
    assertThat(loader.parse("config.yml", "ha:\n  lease_ttl: 3s\n").ha().leaseTtl()).isEqualTo(Duration.ofSeconds(3));
    assertThat(loader.parse("config.yml", "ha:\n  lease_ttl: 2m\n").ha().leaseTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> loader.parse("config.yml", "ha:\n  lease_ttl: 2s\n"))
        .hasMessageStartingWith("config.yml: ha.lease_ttl: must be 3s to 2m");
    assertThatThrownBy(() -> loader.parse("config.yml", "ha:\n  lease_ttl: 3m\n"))
        .hasMessageStartingWith("config.yml: ha.lease_ttl: must be 3s to 2m").hasMessageNotContaining("\n");
  }

  @Test
  void aRealFulcrumNeedsAToken() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: https://api.fulcrumapp.com\n"))
        .hasMessage("config.yml: fulcrum.api_token: is required when fulcrum.base_url is a real Fulcrum URL");
  }

  @Test
  void aHostWithAPortIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  host: 0.0.0.0:8080\n"))
        .hasMessage("config.yml: server.host: must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or a host name, "
            + "without a port (that is server.port), got '0.0.0.0:8080'");
  }

  @Test
  void aHostThatIsNeitherAnAddressNorANameIsNamed() {
    for (String host : new String[] {"10.255.255", "999.1.1.1", "scim_bridge", "https://scim.example.com", "::g", "-scim"}) {
      assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  host: \"" + host + "\"\n"))
          .as(host).hasMessageStartingWith("config.yml: server.host: must be an IP address");
    }
  }

  @Test
  void aHostIsAnyIpAddressOrNameWithoutResolvingIt() {
    for (String host : new String[] {"0.0.0.0", "10.255.255.1", "::", "::1", "[::1]", "localhost", "scim.invalid", "scim-1.corp.example."}) {
      assertThat(loader.parse("config.yml", "server:\n  host: \"" + host + "\"\n").server().host()).isEqualTo(host);
    }
  }

  @Test
  void aPublicUrlMustBeAnHttpUrlAndBodyBoundsPositive() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  public_url: scim.example.com\n"))
        .hasMessageStartingWith("config.yml: server.public_url: must be empty or an http(s) URL");
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  max_concurrent_bodies: 0\n"))
        .hasMessageStartingWith("config.yml: server.max_concurrent_bodies: must be at least 1");
    assertThat(loader.parse("config.yml", "server:\n  public_url: https://scim.example.com/scim/v2\n").server()
        .publicUrl()).isEqualTo("https://scim.example.com/scim/v2");
  }

  @Test
  void theApiTokenFileIsFoundInSystemdsCredentialsDirectory(@TempDir Path credentials) throws Exception {
    Files.writeString(credentials.resolve("fulcrum-api-token"), "tok-from-credential\n");
    BridgeConfig c = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", credentials.toString())::get)
        .parse("config.yml", "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: fulcrum-api-token\n");
    assertThat(c.fulcrum().apiToken()).isEqualTo("tok-from-credential");
  }

  @Test
  void aRelativeApiTokenFileIsReadNextToTheConfigOutsideSystemd(@TempDir Path etc) throws Exception {
    Files.writeString(etc.resolve("fulcrum-api-token"), "tok-next-to-config");
    Path config = etc.resolve("config.yml");
    Files.writeString(config, "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: fulcrum-api-token\n");
    assertThat(new ConfigLoader(Map.<String, String>of()::get).load(config).fulcrum().apiToken())
        .isEqualTo("tok-next-to-config");
  }

  @Test
  void aMissingApiTokenFileIsNamed(@TempDir Path etc) throws Exception {
    Path config = etc.resolve("config.yml");
    Files.writeString(config, "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: nope\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).load(config))
        .hasMessage(config + ": fulcrum.api_token_file: cannot read " + etc.resolve("nope") + ": file not found");
  }

  @Test
  void theEmbeddedEmulatorRunsBeforeATokenFileExists(@TempDir Path etc) throws Exception {
    Path config = etc.resolve("config.yml");
    Files.writeString(config, "fulcrum:\n  base_url: embedded\n  api_token_file: not-yet\n");
    assertThat(new ConfigLoader(Map.<String, String>of()::get).load(config).fulcrum().apiToken()).isEmpty();
  }

  @Test
  void anEmptyApiTokenFileIsNamedForARealFulcrum(@TempDir Path etc) throws Exception {
    Files.writeString(etc.resolve("t"), "\n");
    Path config = etc.resolve("config.yml");
    Files.writeString(config, "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: t\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).load(config))
        .hasMessageContaining("fulcrum.api_token_file: the file is empty");
  }

  @Test
  void aCommandThatReadsOnlyStorageNeitherReadsNorChecksTheTokenFile(@TempDir Path etc) throws Exception {
    // status, audit, journal list and backup, with a real Fulcrum configured (the .deb's layout)
    Files.writeString(etc.resolve("fulcrum-api-token"), "tok");
    Files.writeString(etc.resolve("config.yml"), "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: fulcrum-api-token\n"
        + "storage:\n  path: " + etc.resolve("b.db") + "\n");
    Files.writeString(etc.resolve("no-file.yml"), "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: nope\n");
    ConfigLoader noEnvironment = new ConfigLoader(Map.<String, String>of()::get);

    assertThat(noEnvironment.load(etc.resolve("config.yml"), key -> key.startsWith("storage.")).storage().path())
        .isEqualTo(etc.resolve("b.db"));
    assertThat(noEnvironment.load(etc.resolve("no-file.yml"), key -> key.startsWith("storage.")).fulcrum().apiToken()).isEmpty();
  }

  @Test
  void aTypedKeyWhoseVariableIsUnsetKeepsItsDefaultForACommandThatReadsOnlyStorage(@TempDir Path etc) throws Exception {
    Files.writeString(etc.resolve("config.yml"), """
        storage:
          path: %s
        server:
          port: ${PORT}
        reconcile:
          interval: ${INTERVAL}
        retention:
          audit: 30m
        guard:
          window: ${WINDOW}
        fulcrum:
          base_url: ${FULCRUM_URL}
          calls_per_hour: ${CALLS}
        """.formatted(etc.resolve("b.db")));
    BridgeConfig loaded = new ConfigLoader(Map.<String, String>of()::get)
        .load(etc.resolve("config.yml"), key -> key.startsWith("storage."));

    assertThat(loaded.server().port()).isEqualTo(8080);
    assertThat(loaded.reconcile().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(loaded.fulcrum().callsPerHour()).isEqualTo(5000);
  }

  @Test
  void aTokenFileHoldingMoreThanTheTokenIsNamedWithoutShowingIt(@TempDir Path etc) throws Exception {
    Files.writeString(etc.resolve("t"), "Bearer abc123\n");
    Path config = etc.resolve("config.yml");
    Files.writeString(config, "fulcrum:\n  base_url: https://api.fulcrumapp.com\n  api_token_file: t\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).load(config))
        .hasMessage(config + ": fulcrum.api_token_file: the token holds a character an HTTP header cannot carry "
            + "(position 6); the file holds the token alone: no \"Bearer \", no byte-order mark, one line");
  }

  @Test
  void aTokenAnHttpHeaderCannotCarryIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: https://x.example\n  api_token: \"tok\\tabc\"\n"))
        .hasMessage("config.yml: fulcrum.api_token: the token holds a character an HTTP header cannot carry (position 3)");
  }

  @Test
  void aBaseUrlTheHttpClientRefusesIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: http://127.0.0.1:99999\n  api_token: t\n"))
        .hasMessage("config.yml: fulcrum.base_url: not a URL the HTTP client takes (Invalid URL port: \"99999\")");
  }

  @Test
  void plainHttpToAnotherMachineIsRefusedAsTheTokenWouldTravelInClear() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: http://api.fulcrumapp.com\n  api_token: t\n"))
        .hasMessage("config.yml: fulcrum.base_url: must be https: the API token would cross the network in clear (plain "
            + "http is taken only to a loopback address such as 127.0.0.1, e.g. `fulcrum-scim emulator`), got "
            + "'http://api.fulcrumapp.com'");
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: http://10.0.0.7:9090\n  api_token: t\n"))
        .hasMessageContaining("fulcrum.base_url: must be https");
  }

  @Test
  void plainHttpToThisMachineIsTaken() {
    for (String url : new String[] {"http://127.0.0.1:9090", "http://localhost:9090/", "http://[::1]:9090", "http://fulcrum.localhost"}) {
      assertThat(loader.parse("config.yml", "fulcrum:\n  base_url: " + url + "\n  api_token: t\n").fulcrum().baseUrl())
          .as(url).isEqualTo(url);
    }
  }

  @Test
  void anEmulatorSeedThatCannotBeReadIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  emulator_seed: " + dir.resolve("nope.json") + "\n"))
        .hasMessage("config.yml: fulcrum.emulator_seed: cannot read " + dir.resolve("nope.json") + ": no such file");
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  emulator_seed: " + dir + "\n"))
        .hasMessage("config.yml: fulcrum.emulator_seed: cannot read " + dir + ": a directory, not a file");
  }

  @Test
  void aTokenAndATokenFileTogetherAreRefused() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  api_token: x\n  api_token_file: y\n"))
        .hasMessage("config.yml: fulcrum.api_token_file: set fulcrum.api_token or fulcrum.api_token_file, not both");
  }

  @Test
  void tokenHashesMustBeSha256Hex() {
    assertThatThrownBy(() -> loader.parse("config.yml", "scim:\n  token_hashes: [secret]\n"))
        .hasMessageStartingWith("config.yml: scim.token_hashes.0: must be a SHA-256 hex digest");
  }

  @Test
  void anEmptyTokenHashIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "scim:\n  token_hashes: [~]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config.yml: scim.token_hashes.0: is empty: give it a value or remove it");
  }

  @Test
  void anEmptySettingTakesItsDefault() {
    assertThat(loader.parse("config.yml", "server:\n  host:\nscim:\n  token_hashes:\n").server().host()).isEqualTo("127.0.0.1");
  }

  @Test
  void aConfigThatCannotBeReadSaysWhyInWords(@TempDir Path dir) throws Exception {
    Path underAFile = Files.writeString(dir.resolve("file"), "").resolve("config.yml");
    assertThatThrownBy(() -> loader.load(underAFile)).hasMessage(underAFile + ": cannot read: not a directory");
  }

  @Test
  void anUnreadableConfigSaysPermissionDenied(@TempDir Path dir) throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root reads a file whatever its mode");
    Path config = Files.writeString(dir.resolve("c600.yml"), "");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("---------"));
    assertThatThrownBy(() -> loader.load(config)).hasMessage(config + ": cannot read: permission denied");
  }

  @Test
  void brokenYamlSaysWhichLine() {
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  port: [\n"))
        .hasMessageStartingWith("config.yml:");
  }

  @Test
  void aYamlSyntaxErrorIsOneLineGivingLineAndColumnButNotTheTextThere() {
    // the unquoted value is a password: SnakeYAML's own message would quote its line
    assertThatThrownBy(() -> loader.parse("config.yml", "storage:\n  password: @hunter2\n"))
        .hasMessageStartingWith("config.yml:2:13: not valid YAML: ")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aBaseUrlWithAPasswordInItIsRefusedWithoutRepeatingIt() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: https://admin:hunter2@api.fulcrumapp.com\n"
        + "  api_token: t0ken\n"))
        .hasMessageStartingWith("config.yml: fulcrum.base_url: must not hold a user name or password")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  base_url: \"https://admin:hun ter2@api\"\n  api_token: t0ken\n"))
        .hasMessageNotContaining("ter2");
  }

  @Test
  void aKeyGivenTwiceIsNamedNotSilentlyTakenFromTheLastOne() {
    assertThatThrownBy(() -> loader.parse("config.yml", "fulcrum:\n  calls_per_hour: 100\nscim: {}\nfulcrum:\n  calls_per_hour: 9000\n"))
        .hasMessage("config.yml:4:8: not valid YAML: the key 'fulcrum' appears twice in one mapping; keep one");
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map:\n    admin: Owner\n    admin: Manager\n"))
        .hasMessageContaining("the key 'admin' appears twice in one mapping");
  }

  @Test
  void aYamlSyntaxErrorKeepsSnakeYamlsWordsUpToWhatItFound() {
    assertThatThrownBy(() -> loader.parse("config.yml", "storage:\n  password: \"hunter2\\q\"\n"))
        .hasMessage("config.yml:2:22: not valid YAML: unexpected characters while scanning a double-quoted scalar");
    assertThatThrownBy(() -> loader.parse("config.yml", "server:\n  host: a: hunter2\n"))
        .hasMessage("config.yml:2:10: not valid YAML: mapping values are not allowed here");
  }

  @Test
  void aControlCharacterInTheFileIsPlacedButNotShown() {
    assertThatThrownBy(() -> loader.parse("config.yml", "storage:\n  password: hun\u0001ter2\n"))
        .hasMessage("config.yml:2:16: not valid YAML: a control character YAML does not allow");
  }

  @Test
  void oktaMayNotGrantOwnerAndTheGuardCountsAnHourByDefault() {
    BridgeConfig c = loader.parse("config.yml", "");
    assertThat(c.roles().allowOwner()).isFalse();
    assertThat(c.guard().window()).isEqualTo(java.time.Duration.ofHours(1));
  }

  @Test
  void aBareZeroRetentionKeepsRowsForeverAsTheSampleConfigSays() {
    BridgeConfig c = loader.parse("config.yml", "retention:\n  journal: 0\n  audit: 0d\n");
    assertThat(c.retention().journal()).isZero();
    assertThat(c.retention().audit()).isZero();
    assertThat(c.retention().prunes()).isFalse();
  }

  @Test
  void anAuditRetentionShorterThanTheGuardWindowIsRejected() {
    assertThatThrownBy(() -> loader.parse("config.yml", "guard:\n  window: 2h\nretention:\n  audit: 30m\n"))
        .hasMessage("config.yml: retention.audit: must be 0 (keep forever) or at least guard.window (2h): the mass-removal "
            + "guard counts the removals within guard.window from the audit rows, got 30m");
  }

  @Test
  void anAuditRetentionOfZeroOrAtLeastTheGuardWindowIsAccepted() {
    assertThat(loader.parse("config.yml", "guard:\n  window: 2h\nretention:\n  audit: 0\n").retention().audit()).isZero();
    assertThat(loader.parse("config.yml", "guard:\n  window: 2h\nretention:\n  audit: 2h\n").retention().audit())
        .isEqualTo(java.time.Duration.ofHours(2));
  }

  @Test
  void aZeroGuardWindowIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "guard:\n  window: 0s\n"))
        .hasMessage("config.yml: guard.window: must be longer than zero");
  }

  @Test
  void aBadCronIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "resync:\n  schedule: every night\n"))
        .hasMessageStartingWith("config.yml: resync.schedule: not a valid Quartz cron expression");
  }

  @Test
  void aCronThatNeverFiresAgainIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "resync:\n  schedule: \"0 0 3 * * ? 2020\"\n"))
        .hasMessage("config.yml: resync.schedule: never fires again (no time from now on matches '0 0 3 * * ? 2020'); "
            + "leave it empty to turn the resync off");
  }

  @Test
  void aRoleMapEntryWithoutAFulcrumRoleIsNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map: {admin: }\n"))
        .hasMessage("config.yml: roles.map.admin: is empty: give it a value or remove it");
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map: {admin: \"\"}\n"))
        .hasMessage("config.yml: roles.map.admin: must name the Fulcrum role that Okta's role 'admin' becomes");
  }

  @Test
  void twoRoleMapKeysDifferingOnlyInCaseAreNamed() {
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map: {Admin: Manager, admin: Owner}\n"))
        .hasMessage("config.yml: roles.map.admin: the same Okta role as roles.map.Admin (role names match ignoring case); "
            + "keep one of them");
  }

  @Test
  void aDefaultRoleOfOwnerWithoutAllowOwnerIsRefusedAtLoad() {
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  default: owner\n"))
        .hasMessage("config.yml: roles.default: 'owner' is the Owner role, which the bridge does not grant while "
            + "roles.allow_owner is false: name another role, or set roles.allow_owner: true");
  }

  @Test
  void aRoleMapEntryToOwnerWithoutAllowOwnerIsRefusedAtLoad() {
    assertThatThrownBy(() -> loader.parse("config.yml", "roles:\n  map: {admin: Manager, boss: Owner}\n"))
        .hasMessageStartingWith("config.yml: roles.map.boss: 'Owner' is the Owner role, which the bridge does not grant");
  }

  @Test
  void ownerMayBeNamedWithAllowOwner() {
    BridgeConfig c = loader.parse("config.yml", "roles:\n  default: Owner\n  map: {boss: Owner}\n  allow_owner: true\n");
    assertThat(c.roles().defaultRole()).isEqualTo("Owner");
  }

  @Test
  void theTokenNeverShowsInToString() {
    BridgeConfig c = loader.parse("c", "fulcrum:\n  base_url: https://x.example\n  api_token: ${FULCRUM_API_TOKEN}\n");
    assertThat(c.toString()).doesNotContain("tok-123");
  }
}
