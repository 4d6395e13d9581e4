-- Deleted users by their last email, as the reconciler asks (journal.Tombstones.idsWithEmail, for
-- every active user whose email finds a member no user manages): without it, each such plan read
-- every tombstone, and one is kept for good per user Okta deletes (about 8 ms a look at 100,000).
-- The collation is the lookup's (db.Dialect.equalsIgnoringCase), as scim_user_email's.
CREATE INDEX user_tombstone_email ON user_tombstone(email COLLATE NOCASE);
