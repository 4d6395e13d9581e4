package com.fulcrumscim.journal;

import com.fulcrumscim.db.FoldKey;

/**
 * How the bridge matches an email (or a group's name) with another: stripped and lower-cased
 * under Locale.ROOT, which folds every Unicode letter, not only ASCII ({@link FoldKey}). The member
 * mirror matches Fulcrum's members by it, so an address the database is to find the way the mirror
 * does is stored under this key (scim_user.email_key, scim_user.left_with_key,
 * user_tombstone.left_with_key) and looked up by it: SQLite's NOCASE, and lower() on PostgreSQL's
 * C collation, fold ASCII letters only.
 */
public final class MatchKey {
  private MatchKey() {}

  /** The key of {@code s}; "" for null. */
  public static String of(String s) {
    return s == null ? "" : FoldKey.of(s);
  }
}
