-- The member a held change's plan names when that is not the member the change is bound to (its
-- hold's held_member, or an approval's member_id): the change is held again (review-s9a F1). Before,
-- a hold again wrote the member named now into held_member, so the binding moved to it: the address
-- given to a new hire since, the new hire's own account was then removed by the leaver's next change
-- once the guard let removals through, or by a plain approve-removals. held_member now keeps the
-- member the change was first held on; named_member is what an approval naming the user approves.
ALTER TABLE work ADD COLUMN named_member TEXT;
