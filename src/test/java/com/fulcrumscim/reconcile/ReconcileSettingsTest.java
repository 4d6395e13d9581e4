package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconcileSettingsTest {
  final ConfigLoader loader = new ConfigLoader(n -> null);

  @Test
  void anUnansweredCreateIsLookedForAsLongAsItsCallCouldTakeAndAsLongAgain() {
    assertThat(ReconcileSettings.from(loader.defaults()).createLandsWithin()).isEqualTo(Duration.ofSeconds(70));
    assertThat(ReconcileSettings.from(loader.parse("config.yml", "fulcrum:\n  connect_timeout: 5s\n  read_timeout: 20s\n"))
        .createLandsWithin()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void anEmptyReassignTargetMeansRecordsStayUnassigned() {
    assertThat(ReconcileSettings.from(loader.parse("config.yml", "users:\n  reassign_records_to: \"  \"\n")).reassignTo()).isNull();
  }
}
