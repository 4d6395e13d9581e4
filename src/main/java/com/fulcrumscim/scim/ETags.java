package com.fulcrumscim.scim;

import com.fulcrumscim.journal.StoredResource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Weak entity tags and the {@code If-Match} test on them. A resource's tag is its row's version
 * ({@code W/"3"}), followed by a digest of the memberships it renders ({@code W/"3.5f0e..."}) when it
 * has any: a group join, a rename of a group or of a member changes a user's {@code groups} or a
 * group's {@code members} without moving the row's version, and a tag that stayed the same would let
 * {@code If-None-Match} answer 304 with the old memberships. {@code If-Match} compares the version
 * alone: it guards a write against a lost update of what the write replaces, and a user's PUT or PATCH
 * never writes its {@code groups} (read-only) nor a group's the display names of its members, so a
 * membership change elsewhere is no conflict (and a version is what the write checks race-free, inside
 * its UPDATE).
 */
final class ETags {
  private ETags() {}

  /** The tag of {@code r} as rendered, with ({@code withReferences}) or without its memberships. */
  static String of(StoredResource r, boolean withReferences) {
    List<StoredResource.Reference> refs = withReferences ? r.references() : List.of();
    if (refs.isEmpty()) {
      return "W/\"" + r.version() + "\"";
    }
    return "W/\"" + r.version() + "." + Long.toHexString(digest(refs)) + "\"";
  }

  /**
   * Order-independent, so the tag does not depend on the order a store reads memberships in: a sum
   * of each membership's mixed FNV-1a hash (id, then display name).
   */
  private static long digest(List<StoredResource.Reference> refs) {
    long sum = refs.size();
    for (StoredResource.Reference ref : refs) {
      long h = 0xcbf29ce484222325L;
      h = fnv(h, ref.id());
      h = (h ^ 0xff) * 0x100000001b3L;
      h = fnv(h, ref.display() == null ? "" : ref.display());
      sum += mix(h);
    }
    return sum;
  }

  private static long fnv(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: spreads each membership's hash over all 64 bits before the sum. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * Whether an If-None-Match {@code header} names {@code tag}, the resource's current one: {@code *}
   * (it exists), or a listed tag equal to it under the weak comparison RFC 7232 asks for ({@code W/}
   * aside), its membership digest compared too: a tag from before a group join is another
   * representation. False without the header.
   */
  static boolean noneMatchFails(String header, String tag) {
    if (header == null || header.isBlank()) {
      return false;
    }
    String opaque = tag.substring(2);
    for (String listed : header.split(",")) {
      String t = listed.strip();
      if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(opaque)) {
        return true;
      }
    }
    return false;
  }

  /**
   * No header or {@code *} matches any version; otherwise one of the listed tags must name the
   * version (weak comparison; a tag's membership digest, after the dot, is not compared).
   */
  static LongPredicate ifMatch(String header) {
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return v -> true;
    }
    String[] tags = header.split(",");
    return version -> {
      String expected = Long.toString(version);
      for (String tag : tags) {
        String t = tag.strip();
        if (t.startsWith("W/")) {
          t = t.substring(2);
        }
        if (t.length() < 2 || !t.startsWith("\"") || !t.endsWith("\"")) {
          continue;
        }
        t = t.substring(1, t.length() - 1);
        int dot = t.indexOf('.');
        if ((dot < 0 ? t : t.substring(0, dot)).equals(expected)) {
          return true;
        }
      }
      return false;
    };
  }
}
