-- PostgreSQL twin of db/V012__left_with.sql: the address each user had when it lost access, and its
-- key as the member mirror matches it (journal.MatchKey), indexed, for a user and a deleted user's
-- tombstone; rows already there from the current email, lower() folding ASCII only as SQLite's does.
ALTER TABLE scim_user ADD COLUMN left_with_email TEXT COLLATE "C";
ALTER TABLE scim_user ADD COLUMN left_with_key TEXT COLLATE "C";
UPDATE scim_user SET left_with_email = email, left_with_key = lower(trim(email)) WHERE active = 0 AND email IS NOT NULL;
CREATE INDEX scim_user_left_with_key ON scim_user(left_with_key);
ALTER TABLE user_tombstone ADD COLUMN left_with_email TEXT COLLATE "C";
ALTER TABLE user_tombstone ADD COLUMN left_with_key TEXT COLLATE "C";
UPDATE user_tombstone SET left_with_email = email, left_with_key = lower(trim(email));
CREATE INDEX user_tombstone_left_with_key ON user_tombstone(left_with_key);
