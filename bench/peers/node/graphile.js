// graphile-worker peer. usage:
//   node graphile.js enqueue single|bulk CONCURRENCY JOBS DATABASE_URL
//   node graphile.js preload JOBS DATABASE_URL
//   node graphile.js process defaults|tuned CONCURRENCY JOBS DATABASE_URL TIMEOUT_S
//   node graphile.js latency defaults|tuned CONCURRENCY SAMPLES DATABASE_URL
// defaults: run({concurrency: C}) and nothing else (pool max 10, pollInterval 2000 ms, no
//           local queue, completions not batched); new jobs wake workers by LISTEN/NOTIFY.
// tuned:    as the performance guide suggests: pool max C+2, localQueue.size = max(C+1, 100)
//           (fetch and lock jobs in batches), completeJobBatchDelay 0 (batch completions).
'use strict';
const { run, makeWorkerUtils } = require('graphile-worker');
const { Pool } = require('pg');
const u = require('./util');
const version = require('graphile-worker/package.json').version;

const BULK = 1000;
const base = { system: 'graphile-worker', version, store: 'postgres' };
const localQueueSize = (c) => Math.max(c + 1, 100);
const notes = {
  defaults: (c) => `defaults: concurrency=${c}, pool max=10, pollInterval=2000 ms (LISTEN/NOTIFY wakes)`,
  tuned: (c) => `tuned: concurrency=${c}, pool max=${Math.max(10, c + 2)}, localQueue.size=${localQueueSize(c)}, completeJobBatchDelay=0`,
};

function silentLogger() {
  const { Logger } = require('graphile-worker');
  return new Logger(() => (level, message) => { if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`); });
}

async function utils(url, max) {
  const pgPool = new Pool({ connectionString: url, max });
  pgPool.on('error', (err) => process.stderr.write(`graphile-worker: pool error: ${err.message}\n`));
  pgPool.on('connect', (client) => client.on('error', (err) => process.stderr.write(`graphile-worker: client error: ${err.message}\n`)));
  const w = await makeWorkerUtils({ pgPool, logger: silentLogger() });
  await w.migrate();
  return { w, pgPool };
}

async function count(pgPool) {
  const { rows } = await pgPool.query('SELECT count(*)::int AS n FROM graphile_worker.jobs');
  return rows[0].n;
}

async function enqueue(mode, concurrency, jobs, url) {
  const max = Math.max(10, concurrency + 2);
  const { w, pgPool } = await utils(url, max);
  const t0 = u.nowMs();
  if (mode === 'single') {
    await u.inParallel(jobs, concurrency, () => w.addJob('noop', { args: u.jobArgs() }));
  } else {
    const parts = u.batches(jobs, BULK);
    await u.inParallel(parts.length, concurrency, (i) =>
      w.addJobs(Array.from({ length: parts[i][1] }, () => ({ identifier: 'noop', payload: { args: u.jobArgs() } }))));
  }
  const seconds = (u.nowMs() - t0) / 1000;
  const n = await count(pgPool);
  if (n !== jobs) throw new Error(`graphile-worker: ${n} jobs queued after enqueuing ${jobs}`);
  u.emit({ ...base, scenario: `enqueue_${mode}`, concurrency, jobs, seconds, jobs_per_sec: jobs / seconds,
    notes: `${mode === 'single' ? 'addJob' : `addJobs of ${BULK}`} from ${concurrency} concurrent producer(s); pool max=${max}` });
  await w.release(); await pgPool.end();
}

async function preload(jobs, url) {
  const { w, pgPool } = await utils(url, 10);
  for (const [, n] of u.batches(jobs, BULK)) {
    await w.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: { args: u.jobArgs() } })));
  }
  await w.release(); await pgPool.end();
}

function runnerOptions(variant, concurrency, url, taskList) {
  const options = { connectionString: url, concurrency, taskList, noHandleSignals: true, logger: silentLogger() };
  if (variant === 'tuned') {
    options.maxPoolSize = Math.max(10, concurrency + 2);
    options.preset = { worker: { localQueue: { size: localQueueSize(concurrency) }, completeJobBatchDelay: 0 } };
  }
  return options;
}

async function processJobs(variant, concurrency, jobs, url, timeoutS) {
  let t0 = null; let stopUsage = null; let done = 0; let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  const runner = await run(runnerOptions(variant, concurrency, url, {
    noop: async () => { if (t0 === null) { t0 = u.nowMs(); stopUsage = u.resources(); } },
  }));
  runner.events.on('job:complete', () => { if (++done === jobs) finish(); });
  const timedOut = await Promise.race([finished.then(() => false), u.sleep(timeoutS * 1000).then(() => true)]);
  // With completeJobBatchDelay the last completions may still be in flight: the run ends
  // when the table is empty (or, time-boxed, at the box).
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', (err) => process.stderr.write(`graphile-worker: pool error: ${err.message}\n`));
  for (let i = 0; !timedOut && i < 1000 && (await count(pool)) > 0; i++) await u.sleep(10);
  const end = u.nowMs();
  const usage = stopUsage ? stopUsage() : null;
  await pool.end();
  await runner.stop();
  if (!done) throw new Error(`graphile-worker: no job completed within ${timeoutS} s`);
  const seconds = (end - t0) / 1000;
  u.emit({ ...base, scenario: 'process', concurrency, jobs: done, seconds, jobs_per_sec: done / seconds,
    rss_mb: usage.rssMb, cpu_s_per_1k: usage.cpuSeconds / done * 1000,
    notes: `${notes[variant](concurrency)}${timedOut ? `; time-boxed: ${done} of ${jobs} in ${timeoutS} s` : ''}` });
}

async function latency(variant, concurrency, samples, url) {
  const probe = u.latencyProbe();
  const runner = await run(runnerOptions(variant, concurrency, url, {
    noop: async (payload) => probe.picked(payload.stamp),
  }));
  const { w, pgPool } = await utils(url, 2);
  await u.sleep(200);
  const ms = await probe.run(samples, (stamp) => w.addJob('noop', { stamp, args: u.jobArgs() }));
  u.emit({ ...base, scenario: 'latency_idle', concurrency, jobs: samples, ...u.percentiles(ms),
    notes: `${notes[variant](concurrency)}; addJob to task start, one job at a time` });
  await w.release(); await pgPool.end();
  await runner.stop();
}

async function main() {
  const [mode, ...r] = u.args(['MODE', '...']);
  if (mode === 'enqueue') await enqueue(r[0], Number(r[1]), Number(r[2]), r[3]);
  else if (mode === 'preload') await preload(Number(r[0]), r[1]);
  else if (mode === 'process') await processJobs(r[0], Number(r[1]), Number(r[2]), r[3], Number(r[4] || 600));
  else if (mode === 'latency') await latency(r[0], Number(r[1]), Number(r[2]), r[3]);
  else throw new Error(`graphile.js: unknown mode ${mode}`);
}
main().then(() => process.exit(0), (err) => { process.stderr.write(`bench: graphile-worker: ${err.stack || err}\n`); process.exit(1); });
