package com.fulcrumscim.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTempDirsTest {
  @TempDir Path dir;

  @Test
  void aTempDirIsMadeWhereTheFactoryChose() {
    Path expected = MemoryTempDirs.root().orElse(Path.of(System.getProperty("java.io.tmpdir")));

    assertThat(dir.getParent()).isEqualTo(expected);
  }
}
