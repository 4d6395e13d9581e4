-- The member a removal or role take-back was held on, and the one an approval was given for
-- (review-s8b F4): an approval lets through that member's removal alone. Bound to the user only,
-- an approval given weeks after the hold removed whatever member the address found by then: the
-- leaver's member removed by hand meanwhile and the address given to a new hire, the new hire's own
-- account. held_member is written whenever the guard holds a row; member_id is copied from it by
-- approve-removals. Rows already there have neither (not known): an approval of a row held before
-- the upgrade holds it once more, naming its member, for the operator to approve again.
ALTER TABLE work ADD COLUMN held_member TEXT;
ALTER TABLE removal_approval ADD COLUMN member_id TEXT;
