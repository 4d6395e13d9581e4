package com.fulcrumscim.journal;

/** What a journal row records was asked for. */
public enum JournalOp {
  CREATE,
  REPLACE,
  PATCH,
  DELETE
}
