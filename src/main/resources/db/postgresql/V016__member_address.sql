-- PostgreSQL twin of db/V016__member_address.sql: the address each user's own member had in
-- Fulcrum, as the bridge last wrote it, and when its link ended.
CREATE TABLE member_address (
  scim_id      TEXT   COLLATE "C" PRIMARY KEY,
  email        TEXT   COLLATE "C",
  email_key    TEXT   COLLATE "C",
  unlinked_at  BIGINT
);
CREATE INDEX member_address_email_key ON member_address(email_key);
