package com.fulcrumscim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  @TempDir Path dir;
  OpsCliRun cli;

  @BeforeEach
  void setUp() throws Exception {
    cli = new OpsCliRun(dir);
  }

  void seed() {
    try (Database db = cli.openDatabase()) {
      OpsCliRun.audit(db, Instant.parse("2026-03-01T10:00:00Z"), "USER", "u-alice", "CREATE_MEMBER", "ok", "email, names, role");
      OpsCliRun.audit(db, Instant.parse("2026-03-02T10:00:00Z"), "GROUP", "g-ops", "CREATE_GROUP", "ok", "name Ops");
      OpsCliRun.audit(db, Instant.parse("2026-03-03T10:00:00Z"), "USER", "u-bob", "CREATE_MEMBER",
          "422 rejected: email has already been taken", "email");
    }
  }

  @Test
  void listsAppliedChangesNewestFirstWithTheirResult() {
    seed();
    OpsCliRun.Result r = cli.runWithConfig("audit");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .containsPattern("2026-03-03T10:00:00Z\\s+user/u-bob\\s+CREATE_MEMBER\\s+f-u-bob\\s+422 rejected: email has already been taken\\s+email")
        .containsPattern("2026-03-01T10:00:00Z\\s+user/u-alice\\s+CREATE_MEMBER\\s+f-u-alice\\s+ok");
    assertThat(r.out().indexOf("u-bob")).isLessThan(r.out().indexOf("g-ops"));
    assertThat(r.out().indexOf("g-ops")).isLessThan(r.out().indexOf("u-alice"));
  }

  @Test
  void storedTextCannotSendEscapeSequencesToTheTerminal() {
    try (Database db = cli.openDatabase()) {
      OpsCliRun.audit(db, Instant.parse("2026-03-01T10:00:00Z"), "USER", "u-esc", "CREATE_MEMBER",
          "422 rejected: \u001b]0;owned\u0007", "email \u001b[2J\u009b31m eve@x");
    }
    OpsCliRun.Result r = cli.runWithConfig("audit");
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b")
        .contains("\\u001b[2J\\u009b31m eve@x").contains("\\u001b]0;owned\\u0007");
  }

  @Test
  void sinceADateKeepsOnlyLaterEntries() {
    seed();
    OpsCliRun.Result r = cli.runWithConfig("audit", "--since", "2026-03-02");
    assertThat(r.out()).contains("g-ops").contains("u-bob").doesNotContain("u-alice");
  }

  @Test
  void sinceAnInstantKeepsOnlyLaterEntries() {
    seed();
    assertThat(cli.runWithConfig("audit", "--since", "2026-03-02T10:00:01Z").out()).contains("u-bob").doesNotContain("g-ops");
  }

  @Test
  void sinceAnAgeCountsBackFromNow() {
    seed();
    OpsCliRun.Result r = cli.runWithConfig("audit", "--since", "1h");
    assertThat(r.out()).startsWith("no Fulcrum writes since ");
  }

  @Test
  void limitKeepsTheNewest() {
    seed();
    OpsCliRun.Result r = cli.runWithConfig("audit", "--limit", "1");
    assertThat(r.out()).contains("u-bob").doesNotContain("g-ops");
  }

  @Test
  void aLimitBelowOneIsAUsageErrorNotAnEmptyAudit() {
    seed();
    for (String limit : List.of("0", "-1")) {
      OpsCliRun.Result r = cli.runWithConfig("audit", "--limit", limit);
      assertThat(r.exit()).as("--limit " + limit).isEqualTo(2);
      assertThat(r.err().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
          .contains("'" + limit + "' is not a number of rows: give 1 or more"));
      assertThat(r.out()).doesNotContain("no Fulcrum writes", "u-alice");
    }
  }

  @Test
  void anUnreadableSinceIsAUsageError() {
    OpsCliRun.Result r = cli.runWithConfig("audit", "--since", "yesterday");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'yesterday' is not an age (30m, 24h, 7d)");
  }

  @Test
  void aDatabaseWithoutTheAuditTableHasNoWritesYet() {
    cli.openDatabase().close();
    OpsCliRun.Result r = cli.runWithConfig("audit");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualToIgnoringNewLines("no Fulcrum writes recorded yet");
  }
}
