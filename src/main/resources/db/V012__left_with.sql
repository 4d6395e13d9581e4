-- The address each user had when it lost access (review-s8b F1): the member the person may still
-- hold (invited again by hand, never linked) has it, whatever Okta or Entra changes afterwards
-- (Entra renames a disabled user's address to free it for someone else). Set when the user goes
-- from active to inactive (from the row's email before that change), or is created inactive; kept
-- through edits of the inactive user; cleared when it becomes active again. left_with_key is the
-- address as the member mirror matches it (journal.MatchKey: stripped, lower-cased under
-- Locale.ROOT, all of Unicode), so the lookup by it finds what the mirror finds (review-s8b F2).
-- Rows already there: an inactive user left with its current email (all that was kept; the best
-- known), its key lower-cased here, which folds ASCII letters only: an address with a non-ASCII
-- capital is still found by its email as before (the lookups look under both).
ALTER TABLE scim_user ADD COLUMN left_with_email TEXT;
ALTER TABLE scim_user ADD COLUMN left_with_key TEXT;
UPDATE scim_user SET left_with_email = email, left_with_key = lower(trim(email)) WHERE active = 0 AND email IS NOT NULL;
CREATE INDEX scim_user_left_with_key ON scim_user(left_with_key);
-- A deleted user's: its row's left_with_email (deactivated before the delete), else its last email.
-- A tombstone already there: its last email. Indexed as its last email is (V011), so that looking
-- deleted users up by either is no read of every tombstone (review-s8b F5).
ALTER TABLE user_tombstone ADD COLUMN left_with_email TEXT;
ALTER TABLE user_tombstone ADD COLUMN left_with_key TEXT;
UPDATE user_tombstone SET left_with_email = email, left_with_key = lower(trim(email));
CREATE INDEX user_tombstone_left_with_key ON user_tombstone(left_with_key);
