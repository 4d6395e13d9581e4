-- PostgreSQL twin of db/V018__email_key.sql: every user's email under the bridge's match key, filled
-- the same way (SQL's ASCII fold, then Migrations folds every row in Java). Not UNIQUE, as there:
-- the unique index of active emails (lower(email), ASCII letters) stays, and intake takes turns per
-- key (db.Dialect.takeTurns) so two nodes cannot both claim one key.
ALTER TABLE scim_user ADD COLUMN email_key TEXT COLLATE "C";
UPDATE scim_user SET email_key = lower(trim(email)) WHERE email IS NOT NULL;
CREATE INDEX scim_user_email_key ON scim_user(email_key);
DROP INDEX scim_user_email;
