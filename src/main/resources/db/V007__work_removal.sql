-- A change that takes access away (a user deactivated or deleted, a member taken out of a group, a
-- group deleted) is claimed before other due work: behind a backlog of creates, or of the keys a
-- resync queued, a deprovisioned person would otherwise keep access for as long as that backlog
-- takes at Fulcrum's call budget (hours for a first push of thousands of users).
ALTER TABLE work ADD COLUMN removal INTEGER NOT NULL DEFAULT 0;
-- A claim reads the due removals first, then the rest, each an index range in due order.
DROP INDEX work_due_at;
CREATE INDEX work_claim_order ON work(removal, next_attempt_at) WHERE state IN ('PENDING', 'RETRYING');
