package com.fulcrumscim.scim;

import java.util.function.LongPredicate;

/** Weak entity tags {@code W/"<version>"} and the {@code If-Match} test on them. */
final class ETags {
  private ETags() {}

  static String of(long version) {
    return "W/\"" + version + "\"";
  }

  /** No header or {@code *} matches any version; otherwise one of the listed tags must (weak comparison). */
  static LongPredicate ifMatch(String header) {
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return v -> true;
    }
    String[] tags = header.split(",");
    return version -> {
      for (String tag : tags) {
        String t = tag.strip();
        if (t.startsWith("W/")) {
          t = t.substring(2);
        }
        if (t.equals("\"" + version + "\"")) {
          return true;
        }
      }
      return false;
    };
  }
}
