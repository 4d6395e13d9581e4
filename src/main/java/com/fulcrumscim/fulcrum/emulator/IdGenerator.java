package com.fulcrumscim.fulcrum.emulator;

import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

/**
 * Opaque ids, deliberately of two shapes: UUIDs and Fulcrum's older 24-hex ids
 * ("51e060bea93448c788000283"), alternating, so nothing downstream can assume a UUID. Reproducible
 * from its seed.
 */
final class IdGenerator {
  private final Random random;
  private long sequence;

  IdGenerator(long seed) {
    this.random = new Random(seed);
  }

  synchronized String next() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    if (sequence++ % 2 == 0) {
      return new UUID(toLong(bytes, 0), toLong(bytes, 8)).toString();
    }
    return HexFormat.of().formatHex(bytes, 0, 12);
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }
}
