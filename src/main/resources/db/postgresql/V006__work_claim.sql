-- PostgreSQL twin of db/V006__work_claim.sql.
ALTER TABLE work ADD COLUMN claim BIGINT;
