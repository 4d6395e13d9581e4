-- The address each user's own member had in Fulcrum, as the bridge made, adopted, handed over or
-- changed it (review-s13b F1). A leaver was looked for under the addresses Okta gave it: one Okta
-- gave a linked user that Fulcrum refused (422, taken by a member invited by hand) named that other
-- member, reported as keeping the leaver's access, or with users.adopt_existing adopted and removed.
-- A leaver that was linked when it lost access is looked for under this address alone.
-- email: null once released (journal.LeftWith: the address freed since and nothing found under it).
-- unlinked_at: when the link ended (null while linked); a link that ended before the user's last
-- leave (its removal done, the user active again since) says nothing of the person who left then.
-- Rows are written by the reconciler; none for users linked before this release (looked for as
-- before, under Okta's addresses, until the bridge next writes their member).
CREATE TABLE member_address (
  scim_id      TEXT    PRIMARY KEY,
  email        TEXT,
  email_key    TEXT,
  unlinked_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX member_address_email_key ON member_address(email_key);
