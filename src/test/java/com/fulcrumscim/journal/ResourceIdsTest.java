package com.fulcrumscim.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResourceIdsTest {
  static final long AT = 1_796_342_400_000L; // 2026-12-04T00:00:00Z

  @Test
  void anIdIsAVersion7UuidCarryingItsCreationTime() {
    UUID id = UUID.fromString(ResourceIds.next(AT));
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(AT);
  }

  @Test
  void idsMadeLaterSortAfterEarlierOnesAsText() {
    // the indexes compare the text, byte by byte
    String earlier = ResourceIds.next(AT);
    for (long later : new long[] {AT + 1, AT + 1_000, AT + 86_400_000L * 365 * 50}) {
      assertThat(ResourceIds.next(later)).isGreaterThan(earlier);
    }
  }

  @Test
  void idsMadeInTheSameMillisecondAllDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(ResourceIds.next(AT));
    }
    assertThat(ids).hasSize(100_000);
  }

  @Test
  void everyOneOfThe74RandomBitsTakesBothValues() {
    long highOnes = 0;
    long highZeros = 0;
    long lowOnes = 0;
    long lowZeros = 0;
    for (int i = 0; i < 2_000; i++) {
      UUID id = UUID.fromString(ResourceIds.next(AT));
      highOnes |= id.getMostSignificantBits();
      highZeros |= ~id.getMostSignificantBits();
      lowOnes |= id.getLeastSignificantBits();
      lowZeros |= ~id.getLeastSignificantBits();
    }
    long randA = 0x0FFFL;
    long randB = 0x3FFF_FFFF_FFFF_FFFFL;
    assertThat(highOnes & highZeros & randA).isEqualTo(randA);
    assertThat(lowOnes & lowZeros & randB).isEqualTo(randB);
  }
}
