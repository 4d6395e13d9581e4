package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code token forget-generated} reading the running nodes' records, as serve writes them
 * ({@code <written ms>;<hashes>;<lease life ms>}), on a SQLite file: the command's config lists T, and
 * node b, running with a config of its own, accepts only X.
 */
class ForgetGeneratedTest {
  static final String T = BearerTokens.sha256Hex("token-of-the-command-host");
  static final String X = BearerTokens.sha256Hex("only-token-of-node-b");

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  Path config;
  Database db;

  @BeforeEach
  void aGeneratedTokenKeptAndTheCommandsConfigListingT() throws Exception {
    config = Files.writeString(dir.resolve("config.yml"), "storage:\n  path: " + dir.resolve("d.db")
        + "\nscim:\n  token_hashes: [\"" + T + "\"]\n");
    db = Database.open(dir.resolve("d.db"));
    new SettingStore(db).put("scim.generated_token_hash", BearerTokens.sha256Hex("generated"));
  }

  /** A node's record, written {@code ago} before now by a node on ha.lease_ttl {@code leaseTtl}. */
  void recorded(String key, Duration ago, Duration leaseTtl, String hash) {
    new SettingStore(db).put("scim.node_tokens." + key, (System.currentTimeMillis() - ago.toMillis()) + ";" + hash + ";"
        + leaseTtl.toMillis());
  }

  int forget() {
    db.close();
    return new CommandLine(Main.class).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute("token", "forget-generated", "--config", config.toString());
  }

  /**
   * review-s12a F3: no serve holds the writer lease between a leader killed and the standby's take-over,
   * yet the standby runs; the command went by its own config alone.
   */
  @Test
  void runningNodesRecordsCountWhileNoServeHoldsTheWriterLease() {
    recorded("a:8080/1@a/aaaa", Duration.ofSeconds(5), Duration.ofSeconds(15), T);
    recorded("b:8080/1@b/bbbb", Duration.ZERO, Duration.ofSeconds(15), X);

    assertThat(forget()).as(out.toString()).isEqualTo(1);
    assertThat(err.toString()).contains("accepted by every running serve (a:8080 " + BearerTokens.prefix(T) + ", b:8080 "
        + BearerTokens.prefix(X) + ")", "nothing was changed");
  }

  /** review-s12a F4: the command, on the default ha.lease_ttl (15s), counted records for 45 s whatever the nodes' own. */
  @Test
  void aStandbyOnALongerLeaseThanTheCommandsCountsForThreeOfItsOwnLeaseLives() {
    WriterLease leader = new WriterLease(db, DatabaseClock.local(Clock.systemUTC()), WriterLease.Role.DAEMON, Duration.ofSeconds(60));
    assertThat(leader.tryHold()).isTrue();
    recorded("a:8080/" + leader.me(), Duration.ZERO, Duration.ofSeconds(60), T);
    recorded("b:8080/1@b/bbbb", Duration.ofSeconds(50), Duration.ofSeconds(60), X);

    assertThat(forget()).as(out.toString()).isEqualTo(1);
    assertThat(err.toString()).contains("b:8080 " + BearerTokens.prefix(X), "nothing was changed");
  }
}
