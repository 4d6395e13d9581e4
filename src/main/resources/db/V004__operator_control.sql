-- One writer to Fulcrum. Only the package com.fulcrumscim.control writes these tables.

-- Who may write to Fulcrum now: the running daemon (renewing it) or an operator command working
-- in-process because no daemon runs. A row whose expires_at has passed is free to take.
CREATE TABLE writer_lease (
  name         TEXT    PRIMARY KEY,                   -- always 'fulcrum'
  holder       TEXT    NOT NULL,                      -- pid@host and a random suffix
  role         TEXT    NOT NULL,                      -- DAEMON | COMMAND
  acquired_at  INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Operator commands that act (resync, journal retry|skip, approve-removals) handed to the daemon.
CREATE TABLE operator_request (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT    NOT NULL,                      -- RESYNC | RESYNC_DRY_RUN | RETRY | SKIP | APPROVE_REMOVALS
  target       TEXT,                                  -- a work key, or null for all
  json         INTEGER NOT NULL DEFAULT 0,            -- answer as JSON
  state        TEXT    NOT NULL,                      -- PENDING | RUNNING | DONE
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  plan_text    TEXT,                                  -- what a resync found, shown before it applies
  phase        TEXT,
  done         INTEGER NOT NULL DEFAULT 0,
  total        INTEGER NOT NULL DEFAULT 0,
  exit_code    INTEGER,
  out_text     TEXT,
  err_text     TEXT
);
CREATE INDEX operator_request_open ON operator_request(state, id);
