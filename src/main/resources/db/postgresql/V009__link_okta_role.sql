-- PostgreSQL twin of db/V009__link_okta_role.sql: the role the bridge holds for Okta on a linked
-- member (null: none), the only role it takes back once Okta names none.
ALTER TABLE link ADD COLUMN okta_role_id TEXT COLLATE "C";
