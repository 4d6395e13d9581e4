-- PostgreSQL twin of db/V017__member_address.sql: every address a user's own member had in Fulcrum,
-- as the bridge made, adopted, handed over or changed it, by its match key; backfilled the same way.
CREATE TABLE member_address (
  scim_id    TEXT COLLATE "C" NOT NULL,
  email_key  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (scim_id, email_key)
);
INSERT INTO member_address (scim_id, email_key)
SELECT l.scim_id, lower(trim(substr(a.detail, 7))) FROM reconcile_audit a
JOIN link l ON l.entity_type = 'USER' AND l.scim_id = a.scim_id AND l.fulcrum_id = a.fulcrum_id
WHERE a.entity_type = 'USER' AND a.action = 'CREATE_MEMBER' AND a.result = 'ok' AND a.detail LIKE 'email %'
  AND l.scim_id NOT IN (SELECT scim_id FROM reconcile_audit WHERE entity_type = 'USER' AND action = 'UPDATE_MEMBER'
    AND result = 'ok' AND detail LIKE '%email%')
ON CONFLICT DO NOTHING;
