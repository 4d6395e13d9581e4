package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.util.MemoryUtils;
import org.junit.jupiter.api.Test;

/** The count handed to Jetty is the one Jetty makes itself (MemoryUtils), compressed references or not. */
class JettyCacheLineTest {
  @Test
  void countsAsJettyDoes() {
    assertThat(JettyCacheLine.referencesPerLine(MemoryUtils.getCacheLineBytes(), true)).isEqualTo(MemoryUtils.getIntegersPerCacheLine());
    assertThat(JettyCacheLine.referencesPerLine(MemoryUtils.getCacheLineBytes(), false)).isEqualTo(MemoryUtils.getLongsPerCacheLine());
    assertThat(JettyCacheLine.referencesPerLine(64, true)).isEqualTo(16);
  }
}
