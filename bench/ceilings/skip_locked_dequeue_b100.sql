-- A hundred jobs per transaction: the same dequeue with LIMIT 100 (errand now takes
-- and acknowledges jobs in batches of about that size).
WITH next AS (
  SELECT msg_id FROM q WHERE vt <= now() ORDER BY msg_id LIMIT 100 FOR UPDATE SKIP LOCKED
)
DELETE FROM q USING next WHERE q.msg_id = next.msg_id;
