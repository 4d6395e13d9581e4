-- Which claim holds a RUNNING row: a node that stalled past its lease while another took over
-- (and claimed the row again) must not finish, release or write for the new holder's claim.
-- Set at each claim; every finish and every write a reconcile makes checks it.
ALTER TABLE work ADD COLUMN claim INTEGER;
