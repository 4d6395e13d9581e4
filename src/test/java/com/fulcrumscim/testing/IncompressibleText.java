package com.fulcrumscim.testing;

import java.util.Random;

/**
 * Letters in no pattern: text PostgreSQL cannot compress to fit an index entry of 2,704 bytes,
 * as it does {@code "xxx..."} of any length. The same length gives the same text.
 */
public final class IncompressibleText {
  private IncompressibleText() {}

  public static String of(int length) {
    Random random = new Random(length);
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }
}
