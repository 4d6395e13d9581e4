package com.fulcrumscim.journal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New SCIM ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds. Ids made close in time sort close together, so a create adds to the right edge of
 * every index keyed by id (the resource's, the journal's, the work table's) instead of to a random
 * page of each: fewer pages per commit, and fewer bytes through the write-ahead log and its fsync.
 * The 74 other bits are random; an id is not a secret (every request needs the bearer token), so
 * ThreadLocalRandom serves, without UUID.randomUUID's one SecureRandom lock for every request thread.
 */
final class ResourceIds {
  private ResourceIds() {}

  static String next(long epochMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
