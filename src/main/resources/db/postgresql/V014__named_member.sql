-- PostgreSQL twin of db/V014__named_member.sql: the member a change held again names now, apart
-- from the one the change is bound to (held_member).
ALTER TABLE work ADD COLUMN named_member TEXT COLLATE "C";
