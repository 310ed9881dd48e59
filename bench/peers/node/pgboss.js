// pg-boss peer. usage:
//   node pgboss.js enqueue single|bulk CONCURRENCY JOBS DATABASE_URL
//   node pgboss.js preload JOBS DATABASE_URL
//   node pgboss.js process defaults|tuned CONCURRENCY JOBS DATABASE_URL TIMEOUT_S
//   node pgboss.js latency defaults|tuned CONCURRENCY SAMPLES DATABASE_URL
// Concurrency C = C work() calls on one PgBoss instance (pg-boss 10 has no teamSize: each
// work() is one polling loop; its handler receives batchSize jobs at a time).
// defaults: work() options left alone (batchSize 1, pollingIntervalSeconds 2), pool max 10.
// tuned:    batchSize 100, pollingIntervalSeconds 0.5 (the minimum pg-boss accepts), pool max C+2.
'use strict';
const PgBoss = require('pg-boss');
const u = require('./util');
const version = require('pg-boss/package.json').version;

const QUEUE = 'bench';
const BULK = 1000;
const base = { system: 'pg-boss', version, store: 'postgres' };
const tuned = { batchSize: 100, pollingIntervalSeconds: 0.5 };
const poolMax = (variant, c) => (variant === 'tuned' ? c + 2 : 10);
const notes = {
  defaults: (c) => `defaults: ${c} x work() with batchSize=1, pollingIntervalSeconds=2, pool max=10`,
  tuned: (c) => `tuned: ${c} x work() with batchSize=${tuned.batchSize}, pollingIntervalSeconds=${tuned.pollingIntervalSeconds}, pool max=${c + 2}`,
};

async function boss(url, max) {
  const b = new PgBoss({ connectionString: url, max });
  b.on('error', (err) => process.stderr.write(`pg-boss error: ${err.message}\n`));
  await b.start();
  await b.createQueue(QUEUE).catch(() => {});  // exists already: fine
  return b;
}

async function queued(b) { return (await b.getQueueSize(QUEUE)); }
async function completed(b) {
  const { rows } = await b.getDb().executeSql(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'", [QUEUE]);
  return rows[0].n;
}

async function enqueue(mode, concurrency, jobs, url) {
  const b = await boss(url, Math.max(10, concurrency + 2));
  const t0 = u.nowMs();
  if (mode === 'single') {
    await u.inParallel(jobs, concurrency, () => b.send(QUEUE, { args: u.jobArgs() }));
  } else {
    const parts = u.batches(jobs, BULK);
    await u.inParallel(parts.length, concurrency, (i) =>
      b.insert(Array.from({ length: parts[i][1] }, () => ({ name: QUEUE, data: { args: u.jobArgs() } }))));
  }
  const seconds = (u.nowMs() - t0) / 1000;
  const n = await queued(b);
  if (n !== jobs) throw new Error(`pg-boss: ${n} jobs queued after enqueuing ${jobs}`);
  u.emit({ ...base, scenario: `enqueue_${mode}`, concurrency, jobs, seconds, jobs_per_sec: jobs / seconds,
    notes: `${mode === 'single' ? 'boss.send' : `boss.insert of ${BULK}`} from ${concurrency} concurrent producer(s); pool max=${Math.max(10, concurrency + 2)}` });
  await b.stop({ graceful: false, wait: true });
}

async function preload(jobs, url) {
  const b = await boss(url, 10);
  for (const [, count] of u.batches(jobs, BULK)) {
    await b.insert(Array.from({ length: count }, () => ({ name: QUEUE, data: { args: u.jobArgs() } })));
  }
  await b.stop({ graceful: false, wait: true });
}

async function processJobs(variant, concurrency, jobs, url, timeoutS) {
  const b = await boss(url, poolMax(variant, concurrency));
  let t0 = null; let stopUsage = null; let done = 0; let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  const handler = async (batch) => {
    if (t0 === null) { t0 = u.nowMs(); stopUsage = u.resources(); }
    done += batch.length;
    if (done >= jobs) finish();
  };
  for (let i = 0; i < concurrency; i++) await b.work(QUEUE, variant === 'tuned' ? tuned : {}, handler);
  const timedOut = await Promise.race([finished.then(() => false), u.sleep(timeoutS * 1000).then(() => true)]);
  // pg-boss completes a batch after its handler returns, without waiting: the run ends
  // when the database holds every handled job as completed.
  const handled = done;
  for (let i = 0; i < 1000 && (await completed(b)) < handled; i++) await u.sleep(10);
  const end = u.nowMs();
  const usage = stopUsage ? stopUsage() : null;
  await b.stop({ graceful: true, wait: true, timeout: 10000 });
  if (!done) throw new Error(`pg-boss: no job ran within ${timeoutS} s`);
  const seconds = (end - t0) / 1000;
  u.emit({ ...base, scenario: 'process', concurrency, jobs: done, seconds, jobs_per_sec: done / seconds,
    rss_mb: usage.rssMb, cpu_s_per_1k: usage.cpuSeconds / done * 1000,
    notes: `${notes[variant](concurrency)}${timedOut ? `; time-boxed: ${done} of ${jobs} in ${timeoutS} s` : ''}` });
}

async function latency(variant, concurrency, samples, url) {
  const b = await boss(url, poolMax(variant, concurrency));
  const probe = u.latencyProbe();
  for (let i = 0; i < concurrency; i++) {
    await b.work(QUEUE, variant === 'tuned' ? tuned : {}, async (batch) => { for (const j of batch) probe.picked(j.data.stamp); });
  }
  await u.sleep(200);
  const gapMs = variant === 'tuned' ? tuned.pollingIntervalSeconds * 1000 : 2000;
  const ms = await probe.run(samples, (stamp) => b.send(QUEUE, { stamp, args: u.jobArgs() }), gapMs);
  u.emit({ ...base, scenario: 'latency_idle', concurrency, jobs: samples, ...u.percentiles(ms),
    notes: `${notes[variant](concurrency)}; send to handler start, one job at a time, 0-${gapMs} ms apart` });
  await b.stop({ graceful: false, wait: true });
}

async function main() {
  const [mode, ...r] = u.args(['MODE', '...']);
  if (mode === 'enqueue') await enqueue(r[0], Number(r[1]), Number(r[2]), r[3]);
  else if (mode === 'preload') await preload(Number(r[0]), r[1]);
  else if (mode === 'process') await processJobs(r[0], Number(r[1]), Number(r[2]), r[3], Number(r[4] || 600));
  else if (mode === 'latency') await latency(r[0], Number(r[1]), Number(r[2]), r[3]);
  else throw new Error(`pgboss.js: unknown mode ${mode}`);
}
main().then(() => process.exit(0), (err) => { process.stderr.write(`bench: pg-boss: ${err.stack || err}\n`); process.exit(1); });
