-- A claim takes the oldest due rows of two states. On work_due (state first) that meant sorting
-- every due row, a cost that grew with the backlog and was paid on the one writer thread at each
-- claim. This index holds only claimable rows, in due order: a claim reads as many as it takes.
CREATE INDEX work_due_at ON work(next_attempt_at) WHERE state IN ('PENDING', 'RETRYING');
