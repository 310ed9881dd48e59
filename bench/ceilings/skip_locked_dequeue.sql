-- One job: the oldest visible row, taken with SKIP LOCKED and deleted, one transaction.
WITH next AS (
  SELECT msg_id FROM q WHERE vt <= now() ORDER BY msg_id LIMIT 1 FOR UPDATE SKIP LOCKED
)
DELETE FROM q USING next WHERE q.msg_id = next.msg_id;
