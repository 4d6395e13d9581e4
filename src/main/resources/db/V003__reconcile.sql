-- The reconciler's own facts. Only the reconcile package writes these tables.

-- Written before each create call and deleted in the transaction that links the result: a crash
-- between Fulcrum's answer and that commit leaves this row, so a replay recognises its own entity.
CREATE TABLE reconcile_intent (
  entity_type  TEXT    NOT NULL,                      -- USER | GROUP
  scim_id      TEXT    NOT NULL,
  match_key    TEXT    NOT NULL,                      -- lower-cased email (USER) or group name (GROUP)
  prior_ids    TEXT    NOT NULL,                      -- Fulcrum ids that already matched, newline-separated
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (entity_type, scim_id)
) WITHOUT ROWID;

-- Every Fulcrum write the reconciler attempted, with its result (`audit` command).
CREATE TABLE reconcile_audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  entity_type  TEXT    NOT NULL,
  scim_id      TEXT    NOT NULL,
  action       TEXT    NOT NULL,                      -- CREATE_MEMBER, UPDATE_MEMBER, ...
  fulcrum_id   TEXT,
  result       TEXT    NOT NULL,                      -- ok, or the failure
  detail       TEXT                                   -- what was sent, e.g. the changed fields
);
CREATE INDEX reconcile_audit_at ON reconcile_audit(at);

-- Removals an operator approved past the mass-removal guard; each lets one removal through once.
CREATE TABLE removal_approval (
  scim_id      TEXT    PRIMARY KEY,
  approved_at  INTEGER NOT NULL
) WITHOUT ROWID;
