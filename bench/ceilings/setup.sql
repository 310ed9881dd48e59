-- A pgmq-like queue table (pgmq.q_<queue>'s columns and vt index), filled with :rows
-- visible jobs carrying errand's typical 311-byte payload.
DROP TABLE IF EXISTS q;
CREATE TABLE q (
  msg_id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  read_ct int DEFAULT 0 NOT NULL,
  enqueued_at timestamptz DEFAULT now() NOT NULL,
  vt timestamptz NOT NULL,
  message jsonb,
  headers jsonb
);
CREATE INDEX q_vt_idx ON q (vt ASC);
INSERT INTO q (vt, message)
SELECT now() - interval '1 second',
       '{"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",{"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,"enqueued_at":1700000000.123456}'::jsonb
FROM generate_series(1, :rows);
VACUUM ANALYZE q;
