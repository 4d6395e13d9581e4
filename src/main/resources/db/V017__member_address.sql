-- Every address a user's own member had in Fulcrum as the bridge made, adopted, handed over or
-- changed it, by its match key (journal.MatchKey) (review-s13b F1). A leaver is looked for under the
-- addresses Okta gave it; one Okta gave that never reached its member (Fulcrum refused it as taken by
-- a member invited by hand, or it was not applied before the user left) may find someone else, who
-- is then reported, never adopted nor removed. A user without rows is not known (linked before this
-- release, or never linked): looked for as before.
CREATE TABLE member_address (
  scim_id    TEXT NOT NULL,
  email_key  TEXT NOT NULL,
  PRIMARY KEY (scim_id, email_key)
) WITHOUT ROWID;
-- Backfill, for linked users: the address the bridge created the linked member with, as its audit
-- has it ("email <address>"), unless an email update of the user went through since (its address is
-- not kept). lower(trim()) folds ASCII only: a non-ASCII capital leaves a key the look-up misses,
-- which reports a member found under that address rather than adopting it.
INSERT OR IGNORE INTO member_address (scim_id, email_key)
SELECT l.scim_id, lower(trim(substr(a.detail, 7))) FROM reconcile_audit a
JOIN link l ON l.entity_type = 'USER' AND l.scim_id = a.scim_id AND l.fulcrum_id = a.fulcrum_id
WHERE a.entity_type = 'USER' AND a.action = 'CREATE_MEMBER' AND a.result = 'ok' AND a.detail LIKE 'email %'
  AND l.scim_id NOT IN (SELECT scim_id FROM reconcile_audit WHERE entity_type = 'USER' AND action = 'UPDATE_MEMBER'
    AND result = 'ok' AND detail LIKE '%email%');
