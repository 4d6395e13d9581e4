-- PostgreSQL twin of db/V008__user_tombstone.sql: a deleted user's last userName and email, kept
-- until its removal from Fulcrum is verified done.
CREATE TABLE user_tombstone (
  scim_id     TEXT   COLLATE "C" PRIMARY KEY,
  user_name   TEXT   COLLATE "C" NOT NULL,
  email       TEXT   COLLATE "C" NOT NULL,
  deleted_at  BIGINT NOT NULL
);
