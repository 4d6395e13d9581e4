-- PostgreSQL twin of db/V007__work_removal.sql: removals are claimed before other due work.
ALTER TABLE work ADD COLUMN removal SMALLINT NOT NULL DEFAULT 0;
DROP INDEX work_due_at;
CREATE INDEX work_claim_order ON work(removal, next_attempt_at) WHERE state IN ('PENDING', 'RETRYING');
