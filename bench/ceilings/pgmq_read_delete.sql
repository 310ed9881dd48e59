-- errand's Postgres pattern per job, as two transactions: pgmq's read (lease the oldest
-- visible row: vt moves 30 s on, read_ct + 1, SKIP LOCKED), then the acknowledgement
-- guarded by the delivery (DELETE WHERE msg_id AND read_ct).
WITH next AS (
  SELECT msg_id FROM q WHERE vt <= now() ORDER BY msg_id LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE q SET vt = now() + interval '30 seconds', read_ct = q.read_ct + 1
  FROM next WHERE q.msg_id = next.msg_id RETURNING q.msg_id, q.read_ct \gset
DELETE FROM q WHERE msg_id = :msg_id AND read_ct = :read_ct;
