package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkQueueTest {
  @TempDir Path dir;
  final SettableClock clock = new SettableClock();
  Database db;
  WorkQueue queue;
  final ResourceKey alice = ResourceKey.user("u-alice");

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("w.db"));
    queue = new WorkQueue(db, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void tenChangesBeforeARunAreOneClaim() {
    for (int i = 0; i < 10; i++) {
      queue.enqueue(alice);
    }
    List<WorkItem> claimed = queue.claim(10);
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).claimedGeneration()).isEqualTo(10);
    assertThat(queue.claim(10)).isEmpty();
  }

  @Test
  void aChangeDuringARunRequeuesTheKey() {
    queue.enqueue(alice);
    WorkItem running = queue.claim(1).get(0);
    queue.enqueue(alice);
    assertThat(queue.claim(1)).as("one key never runs twice at once").isEmpty();
    queue.done(running);
    assertThat(queue.get(alice).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    assertThat(queue.claim(1)).hasSize(1);
  }

  @Test
  void doneWhenNothingMoved() {
    queue.enqueue(alice);
    queue.done(queue.claim(1).get(0));
    assertThat(queue.get(alice).orElseThrow().state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void retryWaitsUntilDueAndCountsAttempts() {
    queue.enqueue(alice);
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(30), "503", true);
    WorkItem row = queue.get(alice).orElseThrow();
    assertThat(row.state()).isEqualTo(WorkState.RETRYING);
    assertThat(row.attempts()).isEqualTo(1);
    assertThat(row.firstFailureAt()).isEqualTo(clock.instant());
    assertThat(queue.claim(1)).isEmpty();
    clock.tick(Duration.ofSeconds(30));
    assertThat(queue.claim(1)).hasSize(1);
  }

  @Test
  void aSnoozeSpendsNoAttempt() {
    queue.enqueue(alice);
    queue.retry(queue.claim(1).get(0), clock.instant().plusSeconds(5), "429", false);
    assertThat(queue.get(alice).orElseThrow().attempts()).isZero();
  }

  @Test
  void deadRowsStayUntilRevived() {
    queue.enqueue(alice);
    queue.dead(queue.claim(1).get(0), "422 email is invalid");
    clock.tick(Duration.ofDays(2));
    assertThat(queue.claim(1)).isEmpty();
    assertThat(queue.list(WorkState.DEAD, 10)).extracting(WorkItem::lastError).containsExactly("422 email is invalid");
    assertThat(queue.revive(alice, WorkState.DEAD)).isEqualTo(1);
    assertThat(queue.claim(1)).hasSize(1);
  }

  @Test
  void rescueReturnsRowsADeadProcessLeftRunning() {
    queue.enqueue(alice);
    queue.claim(1);
    assertThat(queue.rescue()).isEqualTo(1);
    assertThat(queue.claim(1)).hasSize(1);
  }

  @Test
  void skipClosesADeadRowWithoutApplying() {
    queue.enqueue(alice);
    queue.dead(queue.claim(1).get(0), "refused");
    assertThat(queue.skip(alice)).isTrue();
    assertThat(queue.get(alice).orElseThrow().state()).isEqualTo(WorkState.DONE);
  }

  @Test
  void recordingAnOutcomeEnqueuesTheAffectedKeysWithIt() {
    queue.enqueue(alice);
    queue.record(queue.claim(1).get(0), new WorkQueue.Fate.Done(), List.of(ResourceKey.group("g-ops"), ResourceKey.group("g-dev")));
    assertThat(queue.get(alice).orElseThrow().state()).isEqualTo(WorkState.DONE);
    assertThat(queue.get(ResourceKey.group("g-ops")).orElseThrow().state()).isEqualTo(WorkState.PENDING);
    assertThat(queue.get(ResourceKey.group("g-dev")).orElseThrow().state()).isEqualTo(WorkState.PENDING);
  }

  @Test
  void anOutcomeWhoseAffectedKeysCannotBeQueuedIsNotRecordedEither() {
    db.write(c -> c.createStatement().executeUpdate("CREATE TRIGGER refuse_ops BEFORE INSERT ON work "
        + "WHEN NEW.entity_id = 'g-ops' BEGIN SELECT RAISE(ABORT, 'disk full'); END"));
    queue.enqueue(alice);
    WorkItem running = queue.claim(1).get(0);
    try {
      queue.record(running, new WorkQueue.Fate.Dead("role unknown"), List.of(ResourceKey.group("g-ops")));
    } catch (RuntimeException expected) {
      // the transaction failed as a whole
    }
    assertThat(queue.get(alice).orElseThrow().state()).as("still claimed: rescued and run again").isEqualTo(WorkState.RUNNING);
    assertThat(queue.get(ResourceKey.group("g-ops"))).isEmpty();
  }
}
