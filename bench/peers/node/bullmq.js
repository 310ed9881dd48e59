// BullMQ peer. usage:
//   node bullmq.js enqueue single|bulk CONCURRENCY JOBS REDIS_URL
//   node bullmq.js preload defaults|tuned JOBS REDIS_URL
//   node bullmq.js process defaults|tuned CONCURRENCY JOBS REDIS_URL [TIMEOUT_S]
//   node bullmq.js latency CONCURRENCY SAMPLES REDIS_URL
// "defaults": jobs as queue.add leaves them (completed jobs are kept, BullMQ's default);
// "tuned": removeOnComplete/removeOnFail = true (what Sidekiq and errand do: nothing kept).
'use strict';
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');
const u = require('./util');
const version = require('bullmq/package.json').version;

const QUEUE = 'bench';
const BULK = 1000;
const tunedJobOptions = { removeOnComplete: true, removeOnFail: true };
const notes = { defaults: 'defaults (completed jobs kept)', tuned: 'tuned: removeOnComplete=true, removeOnFail=true' };

function connection(url) {
  const { hostname, port, pathname } = new URL(url);
  return { host: hostname, port: Number(port || 6379), db: Number(pathname.slice(1) || 0), maxRetriesPerRequest: null };
}
const base = { system: 'bullmq', version, store: 'redis' };

async function enqueue(mode, concurrency, jobs, url) {
  const redis = new IORedis(connection(url));
  const queue = new Queue(QUEUE, { connection: connection(url) });
  await queue.waitUntilReady();
  const before = await u.redisStats(redis);
  const t0 = u.nowMs();
  if (mode === 'single') {
    await u.inParallel(jobs, concurrency, () => queue.add('noop', { args: u.jobArgs() }));
  } else {
    const parts = u.batches(jobs, BULK);
    await u.inParallel(parts.length, concurrency, (i) =>
      queue.addBulk(Array.from({ length: parts[i][1] }, () => ({ name: 'noop', data: { args: u.jobArgs() } }))));
  }
  const seconds = (u.nowMs() - t0) / 1000;
  const after = await u.redisStats(redis);
  const waiting = await queue.getWaitingCount();
  if (waiting !== jobs) throw new Error(`bullmq: ${waiting} jobs waiting after enqueuing ${jobs}`);
  u.emit({ ...base, scenario: `enqueue_${mode}`, concurrency, jobs, seconds, jobs_per_sec: jobs / seconds,
    ...u.perJob(before, after, jobs),
    notes: `${mode === 'single' ? 'queue.add' : `queue.addBulk of ${BULK}`} from ${concurrency} concurrent producer(s) in one process` });
  await queue.obliterate({ force: true });
  await queue.close(); redis.disconnect();
}

async function preload(variant, jobs, url) {
  const queue = new Queue(QUEUE, { connection: connection(url) });
  const opts = variant === 'tuned' ? tunedJobOptions : undefined;
  for (const [, count] of u.batches(jobs, BULK)) {
    await queue.addBulk(Array.from({ length: count }, () => ({ name: 'noop', data: { args: u.jobArgs() }, opts })));
  }
  await queue.close();
}

async function processJobs(variant, concurrency, jobs, url, timeoutS) {
  const redis = new IORedis(connection(url));
  const before = await u.redisStats(redis);
  let t0 = null; let stopUsage = null; let done = 0; let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  const worker = new Worker(QUEUE, async () => {
    if (t0 === null) { t0 = u.nowMs(); stopUsage = u.resources(); }
  }, { connection: connection(url), concurrency });
  worker.on('completed', () => { if (++done === jobs) finish(); });
  worker.on('failed', (job, err) => { process.stderr.write(`bullmq: job ${job && job.id} failed: ${err}\n`); });
  const timedOut = await Promise.race([finished.then(() => false), u.sleep(timeoutS * 1000).then(() => true)]);
  const end = u.nowMs();
  const usage = stopUsage ? stopUsage() : null;
  const after = await u.redisStats(redis);
  await worker.close();
  redis.disconnect();
  if (!done) throw new Error(`bullmq: no job completed within ${timeoutS} s`);
  const seconds = (end - t0) / 1000;
  u.emit({ ...base, scenario: 'process', concurrency, jobs: done, seconds, jobs_per_sec: done / seconds,
    rss_mb: usage.rssMb, cpu_s_per_1k: usage.cpuSeconds / done * 1000, ...u.perJob(before, after, done),
    notes: `${notes[variant]}; Worker concurrency=${concurrency}${timedOut ? `; time-boxed: ${done} of ${jobs} in ${timeoutS} s` : ''}` });
}

async function latency(concurrency, samples, url) {
  const queue = new Queue(QUEUE, { connection: connection(url) });
  const probe = u.latencyProbe();
  const worker = new Worker(QUEUE, async (job) => probe.picked(job.data.stamp), { connection: connection(url), concurrency });
  await worker.waitUntilReady();
  await u.sleep(200);
  const ms = await probe.run(samples, (stamp) => queue.add('noop', { stamp, args: u.jobArgs() }, tunedJobOptions));
  u.emit({ ...base, scenario: 'latency_idle', concurrency, jobs: samples, ...u.percentiles(ms),
    notes: `idle Worker(concurrency=${concurrency}); queue.add to processor start, one job at a time` });
  await worker.close(); await queue.close();
}

async function main() {
  const [mode, ...rest] = u.args(['MODE', '...']);
  if (mode === 'enqueue') await enqueue(rest[0], Number(rest[1]), Number(rest[2]), rest[3]);
  else if (mode === 'preload') await preload(rest[0], Number(rest[1]), rest[2]);
  else if (mode === 'process') await processJobs(rest[0], Number(rest[1]), Number(rest[2]), rest[3], Number(rest[4] || 600));
  else if (mode === 'latency') await latency(Number(rest[0]), Number(rest[1]), rest[2]);
  else throw new Error(`bullmq.js: unknown mode ${mode}`);
}
main().then(() => process.exit(0), (err) => { process.stderr.write(`bench: bullmq: ${err.stack || err}\n`); process.exit(1); });
