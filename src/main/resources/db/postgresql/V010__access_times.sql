-- PostgreSQL twin of db/V010__access_times.sql: when each user lost access (inactive_since; a
-- deleted user's tombstone: left_at), became active with its email (active_since) and was last given
-- another email (email_changed_at), never moved by a later change, for the same-person window of a
-- hand-over.
ALTER TABLE scim_user ADD COLUMN inactive_since BIGINT;
ALTER TABLE scim_user ADD COLUMN active_since BIGINT;
UPDATE scim_user SET inactive_since = updated_at WHERE active = 0;
UPDATE scim_user SET active_since = created_at WHERE active = 1;
ALTER TABLE user_tombstone ADD COLUMN left_at BIGINT;
UPDATE user_tombstone SET left_at = deleted_at;
ALTER TABLE scim_user ADD COLUMN email_changed_at BIGINT;
UPDATE scim_user SET email_changed_at = updated_at WHERE active = 0;
