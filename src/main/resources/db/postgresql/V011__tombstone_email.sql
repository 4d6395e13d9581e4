-- PostgreSQL twin of db/V011__tombstone_email.sql: deleted users by their last email, on the
-- expression the lookup compares (db.Dialect.equalsIgnoringCase), as scim_user_email's.
CREATE INDEX user_tombstone_email ON user_tombstone(lower(email));
