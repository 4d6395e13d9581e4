package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.testing.ReconcileHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Quartz wiring: a trigger after intake runs a cycle without waiting for the interval. */
class ReconcilerServiceTest extends EndToEnd {

  @Test
  void aTriggerRunsACycleWithoutWaitingForTheInterval() {
    start();
    ReconcilerService service = new ReconcilerService(h.loop(), Duration.ofHours(1));
    service.start();
    try {
      String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
      service.trigger();
      await().atMost(Duration.ofSeconds(20)).until(() -> h.row(ResourceKey.user(id)).state() == WorkState.DONE);
      assertThat(h.fulcrum.memberByEmail("ada@corp.example")).isPresent();
    } finally {
      service.stop();
    }
  }

  @Test
  void aBacklogOfSeveralBatchesDrainsAfterOneTriggerWithoutWaitingForTheInterval() {
    start(ReconcileHarness.Options.defaults().withBatchSize(5));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(h.okta.user("user" + i + "@corp.example", "User", "No" + i, null));
    }
    ReconcilerService service = new ReconcilerService(h.loop(), Duration.ofHours(1));
    service.start();
    try {
      service.trigger();
      await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
          .allMatch(id -> h.row(ResourceKey.user(id)).state() == WorkState.DONE));
      assertThat(h.fulcrum.members()).filteredOn(m -> m.email().startsWith("user")).hasSize(12);
    } finally {
      service.stop();
    }
  }

  @Test
  void afterStopNothingIsClaimed() {
    start();
    ReconcilerService service = new ReconcilerService(h.loop(), Duration.ofHours(1));
    service.start();
    service.stop();
    String id = h.okta.user("ada@corp.example", "Ada", "Lovelace", null);
    service.trigger();
    assertThat(h.loop().runOnce().skipped()).isEqualTo("stopping");
    assertThat(h.row(ResourceKey.user(id)).state()).isEqualTo(WorkState.PENDING);
  }
}
