package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.scim.BearerTokens;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * review-s8f F2: the token {@code serve} generated on its first run, in a backup taken before
 * {@code token forget-generated}. The forget stopped accepting a token that may have leaked; a
 * restore of that backup must not bring it back without a word.
 */
class RestoreGeneratedTokenTest {
  static final String OKTA = "okta-configured-token-7c2e9a4f1b8d3e6a0c5f";
  static final String OKTA_HASHES = "scim:\n  token_hashes: [\"" + BearerTokens.sha256Hex(OKTA) + "\"]\n";

  @TempDir Path dir;
  OpsCliRun cli;
  Path nightly;
  String generated;

  /** A first run on the generated token alone, then a backup, then Okta moved to a configured token. */
  @BeforeEach
  void aBackupWhileTheGeneratedTokenIsAccepted() throws Exception {
    cli = new OpsCliRun(Files.createDirectories(dir.resolve("live")));
    Bridge firstRun = start("");
    generated = firstRun.generatedToken().orElseThrow();
    firstRun.claimGeneratedToken();
    firstRun.stop();
    nightly = dir.resolve("nightly.db");
    assertThat(cli.runWithConfig("backup", nightly.toString()).exit()).isZero();
    Files.writeString(cli.config, OKTA_HASHES, StandardOpenOption.APPEND);
  }

  /** serve on the live database with {@code yaml}, FULCRUM_SCIM_TOKEN unset, receiving only. */
  Bridge start(String yaml) {
    BridgeConfig config = ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test",
        "storage:\n  path: " + cli.database + "\n" + yaml), 0);
    return new Bridge(config, n -> null, Clock.systemUTC(), new SecureRandom(), Bridge.Mode.RECEIVER_ONLY).start();
  }

  static int status(Bridge bridge, String token) {
    return new ScimHttp(bridge.scimBaseUrl(), "Bearer " + token).get("/Users").status();
  }

  @Test
  void aGeneratedTokenForgottenAfterTheBackupIsNotAcceptedAgainAfterTheRestoreAndTheRestoreSaysSo() {
    assertThat(cli.runWithConfig("token", "forget-generated").exit()).isZero();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    Bridge bridge = start(OKTA_HASHES);
    try {
      assertThat(status(bridge, generated)).isEqualTo(401);
      assertThat(status(bridge, OKTA)).isEqualTo(200);
    } finally {
      bridge.stop();
    }
    assertThat(r.out()).containsOnlyOnce("SCIM token").contains("the SCIM token serve generated that the backup accepts ("
        + BearerTokens.prefix(BearerTokens.sha256Hex(generated)) + ") is not accepted again: the replaced database no longer"
        + " accepted it (forgotten after the backup)");
  }

  @Test
  void aGeneratedTokenTheReplacedDatabaseStillAcceptsStaysAcceptedWithoutAWord() {
    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("SCIM token");
    Bridge bridge = start(OKTA_HASHES);
    try {
      assertThat(status(bridge, generated)).as("Okta may still present it").isEqualTo(200);
    } finally {
      bridge.stop();
    }
  }

  /** After the backup: its generated token forgotten, the configured one taken out, and serve generated another; answers that one. */
  String anotherGeneratedAfterTheBackup() throws Exception {
    assertThat(cli.runWithConfig("token", "forget-generated").exit()).isZero();
    Files.writeString(cli.config, "storage:\n  path: " + cli.database + "\n"); // the configured token taken out again
    Bridge later = start("");
    String generatedLater = later.generatedToken().orElseThrow();
    later.claimGeneratedToken();
    later.stop();
    return generatedLater;
  }

  @Test
  void aTokenServeGeneratedAfterTheBackupStaysTheOneAcceptedInPlaceOfTheBackups() throws Exception {
    String generatedLater = anotherGeneratedAfterTheBackup();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    Bridge bridge = start("");
    try {
      assertThat(bridge.generatedToken()).isEmpty();
      assertThat(status(bridge, generatedLater)).as("Okta presents it now").isEqualTo(200);
      assertThat(status(bridge, generated)).isEqualTo(401);
    } finally {
      bridge.stop();
    }
    assertThat(r.out()).contains("the SCIM token serve generated that the backup accepts ("
        + BearerTokens.prefix(BearerTokens.sha256Hex(generated)) + ") is not accepted again: the replaced database accepted"
        + " another one serve generated (" + BearerTokens.prefix(BearerTokens.sha256Hex(generatedLater)) + "), which stays"
        + " accepted");
  }

  @Test
  void withTheReplacedDatabaseLostTheRestoreSaysTheBackupsGeneratedTokenIsAcceptedAgainAndHowToForgetIt() throws Exception {
    theLiveDatabaseLostAfterTheForget();

    OpsCliRun.Result r = cli.runWithConfig("restore", nightly.toString());

    assertThat(r.exit()).as("nothing could be carried").isEqualTo(3);
    assertThat(r.out()).contains(acceptedAgain());
  }

  /**
   * review-s9c L3: restored by hand and marked with the replaced file, which carried the token serve
   * generated after the backup; marked again without it before the service started, the line named
   * that token the backup's, "accepted again".
   */
  @Test
  void markRestoredRunAgainWithoutTheReplacedFileSaysTheCarriedTokenStaysAsTheEarlierRunLeftIt() throws Exception {
    String generatedLater = anotherGeneratedAfterTheBackup();
    Path old = dir.resolve("old.db");
    Files.move(cli.database, old);
    Files.copy(nightly, cli.database);
    OpsCliRun.Result first = cli.runWithConfig("db", "mark-restored", "--replaced", old.toString());
    assertThat(first.exit()).as(first.err()).isZero();

    OpsCliRun.Result again = cli.runWithConfig("db", "mark-restored");

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("the SCIM token serve generated (" + BearerTokens.prefix(BearerTokens.sha256Hex(generatedLater))
        + ") stays accepted, as the earlier run of this restore left it").doesNotContain("the backup accepts");
  }

  /** A restore by hand (Litestream, or pg_restore on PostgreSQL) marked with no replaced database to read. */
  @Test
  void aRestoreMarkedWithoutTheReplacedDatabaseSaysTheBackupsGeneratedTokenIsAcceptedAgain() throws Exception {
    theLiveDatabaseLostAfterTheForget();
    Files.copy(nightly, cli.database);

    OpsCliRun.Result r = cli.runWithConfig("db", "mark-restored");

    assertThat(r.exit()).as("nothing could be carried").isEqualTo(3);
    assertThat(r.out()).contains(acceptedAgain());
  }

  void theLiveDatabaseLostAfterTheForget() throws Exception {
    assertThat(cli.runWithConfig("token", "forget-generated").exit()).isZero();
    for (String lost : new String[] {"bridge.db", "bridge.db-wal", "bridge.db-shm"}) {
      Files.deleteIfExists(cli.dir.resolve(lost));
    }
  }

  String acceptedAgain() {
    return "the SCIM token serve generated that the backup accepts (" + BearerTokens.prefix(BearerTokens.sha256Hex(generated))
        + ") is accepted again: no replaced database tells whether `fulcrum-scim token forget-generated` dropped it after"
        + " the backup; if it did, run that again before you start the service";
  }
}
