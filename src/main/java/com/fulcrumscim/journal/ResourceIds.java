package com.fulcrumscim.journal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * New SCIM ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds. Ids made close in time sort close together, so a create adds to the right edge of
 * every index keyed by id (the resource's, the journal's, the work table's) instead of to a random
 * page of each: fewer pages per commit, and fewer bytes through the write-ahead log and its fsync.
 * The other 74 bits come from a cryptographically strong generator, as the RFC asks, so one id does
 * not tell the next; each request thread has its own, where UUID.randomUUID's one SecureRandom
 * was a lock every request thread queued on.
 */
final class ResourceIds {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime since 9 has DRBG", e);
    }
  });

  private ResourceIds() {}

  static String next(long epochMillis) {
    // One draw of the 74 bits: each nextLong is two draws, and a DRBG draw hashes however few bytes it gives.
    byte[] random = new byte[10];
    RANDOM.get().nextBytes(random);
    long bits = 0;
    for (int i = 2; i < 10; i++) {
      bits = bits << 8 | (random[i] & 0xFFL);
    }
    long high = (epochMillis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8 | (random[1] & 0xFFL));
    long low = (bits & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
