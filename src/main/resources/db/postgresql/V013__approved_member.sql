-- PostgreSQL twin of db/V013__approved_member.sql: the member a removal or take-back was held on,
-- and the one an approval was given for; rows already there have neither.
ALTER TABLE work ADD COLUMN held_member TEXT COLLATE "C";
ALTER TABLE removal_approval ADD COLUMN member_id TEXT COLLATE "C";
