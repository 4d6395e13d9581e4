-- Desired state: what Okta wants. Only the receiver writes these tables.
-- Times are epoch milliseconds (UTC); JSON documents are the SCIM resources as last accepted.
CREATE TABLE scim_user (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,   -- stable list order, keyset paging
  id             TEXT    NOT NULL UNIQUE,             -- SCIM id we issued
  user_name      TEXT    NOT NULL,
  user_name_key  TEXT    NOT NULL UNIQUE,             -- userName lower-cased (Locale.ROOT): case-insensitive uniqueness and lookup
  external_id    TEXT,
  active         INTEGER NOT NULL DEFAULT 1,
  email          TEXT,                                -- primary (else first) email: what Fulcrum gets
  given_name     TEXT,
  family_name    TEXT,
  role           TEXT,                                -- Fulcrum role name as Okta sent it
  doc            TEXT    NOT NULL,                    -- the SCIM resource without meta
  version        INTEGER NOT NULL DEFAULT 1,          -- ETag W/"<version>"
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX scim_user_external_id ON scim_user(external_id);
CREATE INDEX scim_user_email ON scim_user(email COLLATE NOCASE);

CREATE TABLE scim_group (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT    NOT NULL UNIQUE,
  display_name      TEXT    NOT NULL,
  display_name_key  TEXT    NOT NULL UNIQUE,          -- displayName lower-cased (Locale.ROOT)
  external_id       TEXT,
  doc               TEXT    NOT NULL,                 -- the SCIM resource without meta and members
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX scim_group_external_id ON scim_group(external_id);

CREATE TABLE scim_group_member (
  group_id  TEXT NOT NULL REFERENCES scim_group(id) ON DELETE CASCADE,
  user_id   TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX scim_group_member_user ON scim_group_member(user_id);

-- Append-only audit of every accepted SCIM change; never updated, never replayed.
CREATE TABLE journal (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at  INTEGER NOT NULL,
  request_id   TEXT    NOT NULL,
  entity_type  TEXT    NOT NULL,                      -- USER | GROUP
  entity_id    TEXT    NOT NULL,
  op           TEXT    NOT NULL,                      -- CREATE | REPLACE | PATCH | DELETE
  body         TEXT                                   -- request body, secrets removed
);
CREATE INDEX journal_entity ON journal(entity_type, entity_id, id);

-- One row per entity key: what the reconciler claims. Intake bumps generation; the reconciler
-- finishes a row only if the generation it claimed is still current.
CREATE TABLE work (
  entity_type         TEXT    NOT NULL,
  entity_id           TEXT    NOT NULL,
  state               TEXT    NOT NULL,               -- see journal.WorkState
  generation          INTEGER NOT NULL,
  claimed_generation  INTEGER,
  attempts            INTEGER NOT NULL DEFAULT 0,
  first_failure_at    INTEGER,                        -- start of the wall-clock retry budget
  next_attempt_at     INTEGER NOT NULL,
  last_error          TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
) WITHOUT ROWID;
CREATE INDEX work_due ON work(state, next_attempt_at);

-- Ownership: a SCIM entity linked to the Fulcrum entity the bridge created or adopted.
-- Only linked Fulcrum entities are ever updated or deleted.
CREATE TABLE link (
  entity_type  TEXT    NOT NULL,                      -- USER | GROUP
  scim_id      TEXT    NOT NULL,
  fulcrum_id   TEXT    NOT NULL,
  origin       TEXT    NOT NULL,                      -- CREATED | ADOPTED
  linked_at    INTEGER NOT NULL,
  PRIMARY KEY (entity_type, scim_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX link_fulcrum ON link(entity_type, fulcrum_id);

-- Small operational facts that must survive restarts (pause reason, approvals).
CREATE TABLE setting (
  key    TEXT PRIMARY KEY,
  value  TEXT
) WITHOUT ROWID;
