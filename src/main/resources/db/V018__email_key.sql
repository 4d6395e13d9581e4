-- Every user's email under the bridge's match key (db.FoldKey: trimmed, every Unicode letter's case
-- folded, as Fulcrum and the member list compare emails), so the look-ups that must compare so
-- (intake's active-email check, the person pushed again, the users an address freed) are one
-- equality on an index: SQLite's NOCASE and lower() fold ASCII letters only, and the LIKE that made up
-- for it read every user for an address led by a non-ASCII letter. Written by intake with the email.
-- Not UNIQUE: two active users whose emails differ only in a non-ASCII letter's case were accepted
-- before this schema, and stay (intake refuses such a pair only when a user newly claims the key).
-- The SQL below keys every row as SQL can (ASCII letters); Migrations then folds every row in Java
-- in the same transaction and rewrites those whose key differs (a non-ASCII capital, a tab).
ALTER TABLE scim_user ADD COLUMN email_key TEXT;
UPDATE scim_user SET email_key = lower(trim(email)) WHERE email IS NOT NULL;
CREATE INDEX scim_user_email_key ON scim_user(email_key);
-- Every look-up of a user by email now goes by the key: the NOCASE index has no reader left.
DROP INDEX scim_user_email;
