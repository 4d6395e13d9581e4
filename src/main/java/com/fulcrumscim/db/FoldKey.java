package com.fulcrumscim.db;

import java.util.Locale;

/**
 * The fold the key columns hold (scim_user.email_key, the left_with_key columns): trimmed and
 * lower-cased under Locale.ROOT, every Unicode letter's case, as Fulcrum compares emails. Here, not
 * with the stores that write it, because a migration fills such a column in Java (SQLite's lower()
 * and NOCASE, and lower() under PostgreSQL's C collation, fold ASCII letters only).
 */
public final class FoldKey {
  private FoldKey() {}

  /** The key of {@code s}, which is not null. */
  public static String of(String s) {
    return s.strip().toLowerCase(Locale.ROOT);
  }
}
