package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.ops.ExitCode;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.reconcile.ReconcileWiring;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ResyncServiceTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  @TempDir Path dir;
  ReconcileHarness h;
  ReconcileWiring path;
  Resync resync;

  @BeforeEach
  void start() {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults());
    ReconcileSettings settings = ReconcileHarness.Options.defaults().settings();
    path = h.newWiring(h.http);
    resync = new Resync(h.http, h.db, settings, h.clock, h.clock::tick);
  }

  @AfterEach
  void stop() {
    path.loop().close();
    h.close();
  }

  ResyncService service(String cron) {
    return new ResyncService(resync, path, new SettingStore(h.db), cron, h.clock);
  }

  /**
   * A node that lost the writer lease runs no resync asked for afterwards (an operator's request
   * claimed as it stepped down, the schedule firing): its writes are fenced, so it would only spend
   * retry attempts. Once it leads again, resyncs run.
   */
  @Test
  void aNodeThatStoppedWritingRunsNoResyncUntilItWritesAgain() {
    long readsBefore = h.fulcrum.calls().count("GET /api/v2/memberships.json");
    resync.stopRuns();
    assertThatThrownBy(() -> resync.apply(path, Progress.NONE, 0)).isInstanceOf(Resync.Stopped.class);
    assertThatThrownBy(() -> resync.dryRun(Progress.NONE)).isInstanceOf(Resync.Stopped.class);
    assertThat(h.fulcrum.calls().count("GET /api/v2/memberships.json")).as("no Fulcrum read while standing by")
        .isEqualTo(readsBefore);

    resync.resumeRuns();
    assertThat(resync.dryRun(Progress.NONE).driftRemains()).isFalse();
  }

  /** An operator command whose writer lease is gone stops its resync, and says why in its own words, not a daemon's. */
  @Test
  void aCommandThatLostItsLeaseStopsItsResyncSayingSo() {
    resync.commandLostTheLease();

    assertThatThrownBy(() -> resync.apply(path, Progress.NONE, 0)).isInstanceOf(Resync.Stopped.class)
        .hasMessageStartingWith("this command lost the Fulcrum writer lease").hasMessageEndingWith("; run it again");
  }

  @Test
  void aScheduleThatNeverFiresIsOneErrorLineNotAThrowIntoTheTakeover() {
    ResyncService pastYear = service("0 0 3 * * ? 2020");

    pastYear.start();
    assertThat(pastYear.stop(Duration.ofSeconds(10))).isTrue();

    assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("scheduled resync is off: cannot schedule it on "
            + "resync.schedule '0 0 3 * * ? 2020'").doesNotContain("\n"))
        .satisfies(e -> assertThat(e.getThrowableProxy()).as("no stack trace").isNull());
  }

  @Test
  void aScheduledRunFixesDriftAndKeepsItsReportInTheSettingTable() throws Exception {
    h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    h.settle();
    String id = h.fulcrum.memberByEmail("ada@corp.example").orElseThrow().id();
    h.http.updateMember(id, new MemberFields(null, "Adda", null, null));

    LastResync last = service("0 0 3 * * ?").runNow();

    assertThat(h.fulcrum.member(id).orElseThrow().firstName()).isEqualTo("Ada");
    assertThat(last.totals().fixed()).isEqualTo(1);
    String kept = new SettingStore(h.db).get(ResyncService.LAST_REPORT).orElseThrow();
    var json = new ObjectMapper().readTree(kept);
    assertThat(json.path("totals").path("fixed").asInt()).isEqualTo(1);
    assertThat(java.time.Instant.parse(json.path("startedAt").asText())).isEqualTo(last.startedAt());
    assertThat(LastResync.kept(new SettingStore(h.db))).contains(last);
  }

  @Test
  void aRunThatCannotReadFulcrumKeepsWhy() {
    h.fulcrum.faults().revokeToken();

    LastResync last = service("").runNow();

    assertThat(last.totals()).isNull();
    assertThat(last.error()).contains("401");
    assertThat(LastResync.kept(new SettingStore(h.db)).orElseThrow().error()).isEqualTo(last.error());
  }

  @Test
  void anOperatorsResyncArrivingDuringTheScheduledOneWaitsForItThenRuns() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> reads = new CopyOnWriteArrayList<>();
    FulcrumClient held = (FulcrumClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {FulcrumClient.class}, (proxy, m, args) -> {
          if (m.getName().equals("memberList")) { // read by both of an apply's snapshots: before and after its fixes
            reads.add(Thread.currentThread().getName());
            if (reads.size() == 1) {
              inside.countDown();
              release.await(30, TimeUnit.SECONDS);
            }
          }
          try {
            return m.invoke(h.http, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    resync = new Resync(held, h.db, ReconcileHarness.Options.defaults().settings(), h.clock, h.clock::tick);
    OperatorActions.Fulcrum daemons = new OperatorActions.Fulcrum(resync, path, "the emulator");
    Thread nightly = new Thread(() -> service("0 0 3 * * ?").runNow(), "nightly");
    FutureTask<OperatorRequest.Answer> manual = new FutureTask<>(() -> new OperatorActions(h.db, h.queue, h.guard, () -> {})
        .resync(daemons, OperatorActions.Resyncing.APPLY, false, Watch.NONE));
    Thread operator = new Thread(manual, "operator");
    nightly.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    operator.start();
    try {
      assertThatThrownBy(() -> manual.get(1, TimeUnit.SECONDS)).as("the operator's resync while the nightly one runs")
          .isInstanceOf(TimeoutException.class);
    } finally {
      release.countDown();
    }
    nightly.join(30_000);

    assertThat(manual.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(ExitCode.OK);
    assertThat(reads).containsExactly("nightly", "nightly", "operator", "operator");
  }

  @Test
  void anEmptyScheduleSchedulesNothingAndACronOneStartsAndStops() {
    ResyncService off = service("");
    off.start();
    assertThat(off.stop(Duration.ofSeconds(10))).isTrue();
    ResyncService nightly = service("0 0 3 * * ?");
    nightly.start();
    assertThat(nightly.stop(Duration.ofSeconds(10))).isTrue();
    assertThat(LastResync.kept(new SettingStore(h.db))).isEmpty();
  }
}
