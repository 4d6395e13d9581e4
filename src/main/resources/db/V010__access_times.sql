-- When each user lost and gained access, kept so that a later change cannot move them: the 24-hour
-- window in which a new user with a leaver's email is taken for that person pushed again
-- (reconcile.Observer.SAME_PERSON_WINDOW) is measured between them.
-- inactive_since: when the user went from active to inactive (or was created inactive); null while
-- active. An edit of the inactive user leaves it as it is; a reactivation clears it.
-- active_since: when the user became active with the email it has (its create, or its
-- reactivation); null while inactive, and once Okta changed the email of the active user (a user
-- given another address is not the person who left with it).
-- Rows already there: an inactive one from its last change (all that was kept), an active one from
-- its create (an earlier reactivation is not known, so such a user is never taken for the one
-- who left, which is the safe side).
ALTER TABLE scim_user ADD COLUMN inactive_since INTEGER;
ALTER TABLE scim_user ADD COLUMN active_since INTEGER;
UPDATE scim_user SET inactive_since = updated_at WHERE active = 0;
UPDATE scim_user SET active_since = created_at WHERE active = 1;
-- left_at: when a deleted user lost access: its row's inactive_since (deactivated before the
-- delete), else the delete's time. A tombstone already there: its delete's time.
ALTER TABLE user_tombstone ADD COLUMN left_at INTEGER;
UPDATE user_tombstone SET left_at = deleted_at;
-- email_changed_at: when Okta last gave the user another email than the one it was created with,
-- active or not; null while it has never changed. A user given a leaver's address by a change is not
-- the person who left with it. Rows already there: an inactive one counts as changed at its last
-- change (what it had before is not known, so it is never taken for the one who left), an active
-- one as never changed.
ALTER TABLE scim_user ADD COLUMN email_changed_at INTEGER;
UPDATE scim_user SET email_changed_at = updated_at WHERE active = 0;
