-- The removal flag (V007) of the rows a release before schema 7 queued: V007 added it as 0 for every
-- row already there, so a deprovisioning queued, retrying, held or DEAD across that upgrade was
-- claimed behind other work and counted by no removal gauge, DEPROVISIONING line, status or
-- restore (review-s12b F1). Set as intake and a restore's carry forward set it: a user deactivated
-- or deleted, a group deleted, or one whose changes not yet applied include a PATCH with a "remove"
-- operation or one that empties it: a PATCH replacing its members with [] (Okta's "Push now" of an
-- emptied group, with a path or without, its keys in any order: review-s13c F3), a PUT with no
-- member (review-s13a F-B).
-- The row's created_at is when the oldest of those came, but that release stamped a change's journal
-- entry before rewriting the group's members and the row after (review-s13a F-A): the change that
-- queued the row again is older than the row by that rewrite (seconds for a group of 100,000 on
-- PostgreSQL). So it is the group's newest entry older than the row, if at most a minute older (a row
-- queued again by no change of its own a moment after a removal was applied is flagged too: the safe
-- side); the entries before it were applied before the row's life began. It runs on every database
-- reaching 15, also those past 7 whose flags intake set, so it takes no guess that would raise a
-- false alarm there: a full member list, a PUT's (Okta sends every group change so) or a PATCH
-- replace's, is left as it is, though one queued before schema 7 may have taken members out
-- (review-s12c F3). The next attempt that plans writes its own verdict (Fate.Retry, Fate.Dead), a
-- done one clears it.
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
    ELSE 0 END;
