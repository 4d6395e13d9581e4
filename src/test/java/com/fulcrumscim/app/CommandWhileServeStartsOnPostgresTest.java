package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.RequiresPostgres;
import com.fulcrumscim.testing.TestStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link CommandWhileServeStartsTest} on PostgreSQL, and the window two nodes have
 * there: after the leader's clean stop, until the standby's next attempt takes the lease over.
 */
@RequiresPostgres
class CommandWhileServeStartsOnPostgresTest extends CommandWhileServeStartsTest {
  @Override
  TestStore store() {
    return TestStore.freshPostgres();
  }

  @Test
  void aCommandRightAfterTheLeadersCleanStopIsCarriedOutByTheStandbyThatTakesOver() throws Exception {
    Bridge leader = bridge(fulcrum.baseUrl());
    Bridge standby = null;
    try {
      db = Database.openExisting(store.location(), Database.Access.READ_WRITE);
      await().atMost(Duration.ofSeconds(5)).until(() -> holder() == WriterLease.Role.DAEMON);
      // its first attempt, as it started, found the leader's lease: it tries again a third of TTL later
      standby = bridge(fulcrum.baseUrl());
      leader.stop();

      OperatorRequest.Answer answer = command().get(TTL.multipliedBy(3).toSeconds(), TimeUnit.SECONDS);

      assertThat(answer).isNotEqualTo(IN_PROCESS).extracting(OperatorRequest.Answer::exitCode).isEqualTo(0);
      assertThat(workedInProcess).as("waited for the standby instead of working in-process").isFalse();
    } finally {
      leader.stop();
      if (standby != null) {
        standby.stop();
      }
    }
  }
}
