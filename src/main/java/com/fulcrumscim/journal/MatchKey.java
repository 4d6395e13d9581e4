package com.fulcrumscim.journal;

import java.util.Locale;

/**
 * How the bridge matches an email (or a group's name) with another: stripped and lower-cased
 * under Locale.ROOT, which folds every Unicode letter, not only ASCII. The member mirror matches
 * Fulcrum's members by it, so an address the database is to find the way the mirror does is
 * stored under this key (scim_user.left_with_key, user_tombstone.left_with_key) and looked up by it:
 * SQLite's NOCASE, and lower() on PostgreSQL's C collation, fold ASCII letters only.
 */
public final class MatchKey {
  private MatchKey() {}

  /** The key of {@code s}; "" for null. */
  public static String of(String s) {
    return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * A LIKE pattern ({@link com.fulcrumscim.db.Dialect#likeIgnoringCase}) that every string of
   * {@code key} matches when SQL folds ASCII letters alone, for a look-up that reads those and lets
   * the key decide: a character not ASCII may be another case of the key's (É of é), an i with a
   * combining dot may be İ, and a backslash is PostgreSQL's escape, so each stands for any run. A
   * string's own '_' and '%' are wildcards too: the pattern may match more, never less. Its text up
   * to the first wildcard is read on the email index; a key that begins with a wildcard reads every
   * row. A Kelvin sign, which folds to k, is not stored: the receiver keeps NFC, where it is K.
   */
  public static String like(String key) {
    StringBuilder out = new StringBuilder();
    key.replace("i\u0307", "%").codePoints().forEach(ch -> out.appendCodePoint(ch >= 0x80 || ch == '\\' ? '%' : ch));
    return out.toString();
  }
}
