package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While resync walks the users (active ones, the links of the others, then leavers nothing links),
 * the reconciler beside it may link, unlink or see deactivated the very users it plans. Whenever
 * that happens in the run, each user is planned exactly once: a leaver is never left out of the
 * plan (it may keep access), nor counted twice. Each test makes the change at every read of the
 * run's clock in turn, one run per read.
 */
class ResyncPlansEachUserOnceTest {
  @TempDir Path dir;
  ReconcileHarness h;

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** review-s16g F1: linked by the reconciler (users.adopt_existing) while the links of leavers are planned. */
  @Test
  void aLeaverLinkedWhileResyncRunsIsPlannedOnce() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    String bob = h.okta.user("bob@corp.example", "Bob", "Babbage", null);
    h.settle();
    h.okta.set(bob, "active", 0);
    h.settle();
    FulcrumMember byHand = h.http.createMember(new MemberFields("bob@corp.example", "Bob", "ByHand", null));
    h.okta.set(ada, "active", 0); // not settled: ada's link stays, planned among the leavers' links

    eachRead(at -> sql("DELETE FROM link WHERE scim_id = ?", bob), at -> sql(
        "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES ('USER', ?, '" + byHand.id()
            + "', 'ADOPTED', 0)", bob), report -> assertThat(report.plan()).as("bob's rows")
                .filteredOn(d -> d.key().equals("user/" + bob)).hasSize(1));
  }

  /** review-s16g F2: deactivated after the walk over active users passed it. */
  @Test
  void aUserDeactivatedWhileResyncRunsIsCountedOnce() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();

    eachRead(at -> sql("UPDATE scim_user SET active = 1 WHERE id = ?", ada),
        at -> sql("UPDATE scim_user SET active = 0 WHERE id = ?", ada),
        report -> assertThat(report.totals().checked()).isEqualTo(1));
  }

  /** review-s16g F2: its link forgotten after the links of leavers were planned. */
  @Test
  void aLeaverUnlinkedWhileResyncRunsIsPlannedOnce() {
    String ada = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    h.okta.set(ada, "active", 0);
    String memberId = h.http.members().stream().filter(m -> m.email().equals("ada@corp.example")).findFirst()
        .orElseThrow().id();

    eachRead(at -> sql("INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES ('USER', ?, '"
            + memberId + "', 'CREATED', 0) ON CONFLICT DO NOTHING", ada),
        at -> sql("DELETE FROM link WHERE scim_id = ?", ada),
        report -> assertThat(report.plan()).as("ada's rows").filteredOn(d -> d.key().equals("user/" + ada)).hasSize(1));
  }

  /**
   * Dry runs, each set up by {@code before} and with {@code meanwhile} made at the run's read of the
   * clock numbered as the run, until a run reads the clock fewer times.
   */
  private void eachRead(Consumer<Integer> before, Consumer<Integer> meanwhile, Consumer<ResyncReport> then) {
    for (int at = 1; ; at++) {
      before.accept(at);
      Meanwhile clock = new Meanwhile(h.clock, at, meanwhile);
      Resync resync = new Resync(h.http, h.db, ReconcileHarness.Options.defaults().settings(), clock, h.clock::tick);
      try {
        ResyncReport report = resync.dryRun(Progress.NONE);
        if (!clock.made) {
          assertThat(at).as("runs").isGreaterThan(2);
          return;
        }
        then.accept(report);
      } catch (AssertionError e) {
        throw new AssertionError("with the change at the clock's read " + at + ": " + e.getMessage(), e);
      } finally {
        resync.close();
      }
    }
  }

  private void sql(String statement, String id) {
    h.db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(statement)) {
        ps.setString(1, id);
        return ps.executeUpdate();
      }
    });
  }

  /** The run's clock, that makes a change at one of its reads as another writer would. */
  private static final class Meanwhile extends Clock {
    private final Clock clock;
    private final int at;
    private final Consumer<Integer> change;
    private int reads;
    private boolean made;

    Meanwhile(Clock clock, int at, Consumer<Integer> change) {
      this.clock = clock;
      this.at = at;
      this.change = change;
    }

    @Override
    public Instant instant() {
      if (++reads == at) {
        change.accept(at);
        made = true;
      }
      return clock.instant();
    }

    @Override
    public ZoneId getZone() {
      return clock.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
