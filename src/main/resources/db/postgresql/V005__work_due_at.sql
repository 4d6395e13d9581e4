-- As SQLite's V005: claimable rows in due order, so a claim reads as many index entries as it
-- takes instead of sorting every due row.
CREATE INDEX work_due_at ON work(next_attempt_at) WHERE state IN ('PENDING', 'RETRYING');
