-- Narrow indexes on seq: a deep page found by offset walks these (a few bytes per row) instead of
-- the table's leaves, which carry whole documents.
CREATE INDEX scim_user_seq ON scim_user(seq);
CREATE INDEX scim_group_seq ON scim_group(seq);
