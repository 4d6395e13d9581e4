package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.journal.WorkState;
import com.fulcrumscim.ops.ExitCode;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code journal skip} handed to the daemon names the generation of the row its command read. */
class SkipRequestTest {
  @TempDir Path dir;
  final ResourceKey bob = ResourceKey.user("019b76da-a800-7d49-9300-caedf956658f");

  OperatorRequest request(String target) {
    return new OperatorRequest(1, OperatorRequest.Kind.SKIP, target, false, OperatorRequest.State.RUNNING, null, null, 0, 0, null, null);
  }

  @Test
  void aSkipsTargetCarriesTheKeyAndTheGenerationTheCommandRead() {
    OperatorRequest r = request(OperatorRequest.skipTarget(bob, 5));
    assertThat(r.key()).isEqualTo(bob);
    assertThat(r.generation()).hasValue(5);
  }

  @Test
  void aSkipFromACommandThatNamedNoGenerationSkipsNothing() {
    try (Database db = Database.open(dir.resolve("bridge.db"))) {
      WorkQueue queue = new WorkQueue(db, Clock.systemUTC());
      queue.enqueue(bob);
      queue.dead(queue.claim(1).get(0), "refused");

      OperatorRequest.Answer answer = OperatorActions.configured(ConfigLoader.fromSystemEnvironment().defaults(), db,
          Clock.systemUTC(), () -> {}).carryOut(request(bob.toString()), () -> null, Watch.NONE);

      assertThat(answer.exitCode()).isEqualTo(ExitCode.FAILED);
      assertThat(answer.err()).contains(bob + " not skipped").contains("did not say which generation");
      assertThat(queue.get(bob).orElseThrow().state()).isEqualTo(WorkState.DEAD);
    }
  }
}
