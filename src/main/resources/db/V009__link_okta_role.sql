-- The role the bridge holds for Okta on a linked member: the role id its create or PUT gave because
-- Okta named that role (or, while it holds one, a role Okta names that the member already has).
-- Null when it holds none: a member linked before this migration, one made with the default role,
-- one whose role was only ever set by hand, and one whose role was taken back. When Okta names no
-- role any more, a member that still has this role gets the default role and the column goes back
-- to null; a member with another role (set by hand since) keeps it, and the column goes back to
-- null too. Written with the key's outcome, under its claim, like the link itself.
ALTER TABLE link ADD COLUMN okta_role_id TEXT;
