-- Whether a USER row's user is deactivated or deleted (1), as its latest change queued left the
-- user: what the mass-removal guard finds its pending removals by. It read the user of every queued
-- USER row instead, so with a backlog of creates queued (a first import) each removal's check read
-- them all, and a deactivation storm beside an import cost the backlog times the storm (issue 12).
-- The removal flag cannot stand in for it: a plan writes its own verdict over the flag, and an edit
-- of a user already deactivated, a nudge or `journal retry` queues such a user's row with the flag
-- unset, each counted by the guard as before. Written by every enqueue from the user's row in that
-- transaction (journal.WorkQueue); a user's row changes only with an enqueue of its key.
ALTER TABLE work ADD COLUMN leaver INTEGER NOT NULL DEFAULT 0;
UPDATE work SET leaver = 1 WHERE entity_type = 'USER'
  AND NOT EXISTS (SELECT 1 FROM scim_user u WHERE u.id = work.entity_id AND u.active = 1);
-- The rows the guard reads, by state (it reads the unfinished ones; the flags make it covering): its
-- leavers, and the rows flagged as removals, which it counts by the user's row as well.
CREATE INDEX work_guard ON work(state, leaver, removal) WHERE entity_type = 'USER' AND (leaver = 1 OR removal = 1);
