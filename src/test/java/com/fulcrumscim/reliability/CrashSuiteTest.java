package com.fulcrumscim.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL the daemon while Okta writes and while it applies to Fulcrum; after a restart every
 * acknowledged change is stored and applied exactly once. One seed by default (the failover suite
 * kills nodes too), fifty in the
 * {@code crash-long} suite ({@code mvn -B verify -Preliability}).
 */
class CrashSuiteTest {
  private static final Logger log = LoggerFactory.getLogger(CrashSuiteTest.class);

  @TempDir Path dir;

  void iterations(long firstSeed, int count) throws Exception {
    long started = System.nanoTime();
    for (long seed = firstSeed; seed < firstSeed + count; seed++) {
      Path iterationDir = Files.createDirectory(dir.resolve("seed-" + seed));
      CrashIteration.Figures f = new CrashIteration(iterationDir, seed).run();
      log.info("crash seed {}: {}", seed, f);
    }
    log.info("crash suite: {} iterations in {} s", count, (System.nanoTime() - started) / 1_000_000_000);
  }

  @Test
  void killedWhileWritingAndWhileApplyingItConvergesWithNothingLostOrDuplicated() throws Exception {
    iterations(1, 1);
  }

  @Test
  @Tag("crash-long")
  void fiftySeededKillsConvergeWithNothingLostOrDuplicated() throws Exception {
    iterations(1000, 50);
  }
}
