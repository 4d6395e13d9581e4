-- PostgreSQL twin of db/V015__removal_backfill.sql: the removal flag of the rows a release before
-- schema 7 queued, set as intake would have set it.
UPDATE work SET removal = 1
WHERE removal = 0 AND state IN ('PENDING', 'RUNNING', 'RETRYING', 'HELD', 'DEAD')
  AND CASE entity_type
    WHEN 'USER' THEN NOT EXISTS (SELECT 1 FROM scim_user u WHERE u.id = work.entity_id AND u.active = 1)
    WHEN 'GROUP' THEN NOT EXISTS (SELECT 1 FROM scim_group g WHERE g.id = work.entity_id)
      OR EXISTS (SELECT 1 FROM journal j WHERE j.entity_type = 'GROUP' AND j.entity_id = work.entity_id
        AND (j.op = 'PATCH' AND (lower(j.body) LIKE '%"remove"%' OR lower(j.body) LIKE '%"path":"members"%' AND lower(j.body) LIKE '%"value":[]%'
            OR lower(j.body) LIKE '%"members":[]%')
          OR j.op = 'REPLACE' AND lower(j.body) NOT LIKE '%"members":[{%')
        AND (j.received_at >= work.created_at
          OR j.received_at >= work.created_at - 60000 AND NOT EXISTS (SELECT 1 FROM journal k
            WHERE k.entity_type = 'GROUP' AND k.entity_id = work.entity_id AND k.id > j.id
              AND k.received_at < work.created_at)))
    ELSE false END;
