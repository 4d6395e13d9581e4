package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.WorkQueue;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a change of the Fulcrum the links point into does to what the bridge recorded of the other one. */
class LinkTargetTest {
  @TempDir Path dir;

  /**
   * The addresses members had in the embedded emulator say nothing of a real Fulcrum: kept, a member
   * found there under one would be taken for the leaver's own, and adopted and removed (review-s13b F1).
   */
  @Test
  void fromTheEmbeddedEmulatorToARealFulcrumTheAddressesMembersHadAreForgotten() {
    try (Database db = Database.open(dir.resolve("b.db"))) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      LinkTarget.settle(db, queue, BridgeConfig.Fulcrum.EMBEDDED);
      db.write(c -> {
        new MemberAddresses().held(c, "u-ada", "ada@corp.example");
        return null;
      });

      LinkTarget.settle(db, queue, "https://fulcrum.example");

      Map<String, MemberAddresses.Held> left = db.read(new MemberAddresses()::all);
      assertThat(left).isEmpty();
    }
  }
}
