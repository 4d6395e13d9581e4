-- The last userName and email of each user deleted over SCIM. The delete removes the user's row,
-- and with it the only sound record of the email its removed member had (a link holds only the
-- member's id): a member removed by hand and invited again by hand (same email, a new member) would
-- keep the access the delete took away, the removal reported done. Written by the delete in its own
-- transaction; the reconciler drops it once the key has neither link nor create in doubt, i.e. once
-- the removal is verified done (or there was nothing to remove). Never pruned by age, never shown to
-- SCIM: the deleted user stays 404 and its userName is free again.
CREATE TABLE user_tombstone (
  scim_id     TEXT    PRIMARY KEY,
  user_name   TEXT    NOT NULL,
  email       TEXT    NOT NULL,
  deleted_at  INTEGER NOT NULL
) WITHOUT ROWID;
