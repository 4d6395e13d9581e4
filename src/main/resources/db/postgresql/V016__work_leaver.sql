-- PostgreSQL twin of db/V016__work_leaver.sql: whether a USER row's user is deactivated or deleted,
-- what the mass-removal guard finds its pending removals by, and its index.
ALTER TABLE work ADD COLUMN leaver SMALLINT NOT NULL DEFAULT 0;
UPDATE work SET leaver = 1 WHERE entity_type = 'USER'
  AND NOT EXISTS (SELECT 1 FROM scim_user u WHERE u.id = work.entity_id AND u.active = 1);
CREATE INDEX work_guard ON work(state, leaver, removal) WHERE entity_type = 'USER' AND (leaver = 1 OR removal = 1);
