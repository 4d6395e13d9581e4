package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.db.StoreLocation;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link CommandWaitsForATakeoverTest} on a PostgreSQL database of its own, on the
 * server's clock; and a leader's clean stop, which on PostgreSQL (other nodes may stand by) is waited
 * out like a lapse, for half a lease's life.
 */
@RequiresPostgres
class CommandWaitsForATakeoverOnPostgresTest extends CommandWaitsForATakeoverTest {
  @Override
  StoreLocation store() {
    return TestStore.freshPostgres().location();
  }

  @Test
  void aCommandRightAfterTheLeadersCleanStopWaitsForTheStandbyThatTakesOver() throws Exception {
    WriterLease leader = daemonLease(Duration.ofMinutes(1));
    assertThat(leader.tryHold()).isTrue();
    leader.release();

    CompletableFuture<OperatorRequest.Answer> answer = command();
    await().atMost(Duration.ofSeconds(3)).until(() -> notices.toString().contains("stopped at") || answer.isDone());
    assertThat(workedInProcess).as("waits for a standby instead of working in-process").isFalse();
    assertThat(daemonLease(Duration.ofMinutes(1)).tryHold()).as("a standby takes the lease over").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> store.get(1).isPresent());
    daemonAnswers(1);

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(BY_THE_DAEMON);
    assertThat(notices.toString()).startsWith("the daemon holding the writer lease (").contains("a standby may take it over")
        .contains("before doing this here");
  }

  @Test
  void withNoStandbyTheCommandWorksInProcessTwoThirdsOfALeasesLifeAfterTheLeadersCleanStop() throws Exception {
    WriterLease leader = daemonLease(Duration.ofMinutes(1));
    assertThat(leader.tryHold()).isTrue();
    leader.release();
    long started = System.nanoTime();

    OperatorRequest.Answer answer = command().get(TTL.multipliedBy(2).toSeconds(), TimeUnit.SECONDS);

    assertThat(answer).isEqualTo(IN_PROCESS);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for a standby, then no longer")
        .isBetween(TTL.multipliedBy(2).dividedBy(3).minusMillis(500), TTL.multipliedBy(2).dividedBy(3).plusSeconds(2));
  }
}
