-- Ten jobs per transaction: the same dequeue with LIMIT 10.
WITH next AS (
  SELECT msg_id FROM q WHERE vt <= now() ORDER BY msg_id LIMIT 10 FOR UPDATE SKIP LOCKED
)
DELETE FROM q USING next WHERE q.msg_id = next.msg_id;
