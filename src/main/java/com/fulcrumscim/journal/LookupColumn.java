package com.fulcrumscim.journal;

/** The indexed columns an equality filter can be served from without a scan. */
public enum LookupColumn {
  ID,
  EXTERNAL_ID,
  /** userName for users, displayName for groups: matched case-insensitively through the *_key column. */
  NAME
}
