// Helpers shared by the Node peers: timing, percentiles, resource use, Redis INFO deltas,
// result records (printed as "RESULT {json}" lines; csv.js turns them into CSV rows).
'use strict';
const { performance } = require('node:perf_hooks');

// Wall-clock milliseconds with sub-millisecond resolution (comparable across processes).
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The same no-op job arguments for every peer (the shape of errand's "typical" job).
const jobArgs = () => [1234, 'bob@example.com', { plan: 'pro', amount: 19.99 }];

function percentiles(samples) {
  if (!samples.length) return {};
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50_ms: at(0.5), p90_ms: at(0.9), p99_ms: at(0.99), max_ms: sorted[sorted.length - 1] };
}

// CPU and peak RSS of this process from `start()` to `stop()`.
function resources() {
  const cpu0 = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 };
  };
}

// Redis INFO stats deltas: read events (≈ round trips, a pipeline being one) and bytes.
async function redisStats(redis) {
  const info = await redis.info('stats');
  const get = (k) => Number((info.match(new RegExp(`^${k}:(\\d+)`, 'm')) || [])[1]);
  return { reads: get('total_reads_processed'),
    bytes: get('total_net_input_bytes') + get('total_net_output_bytes') };
}
function perJob(before, after, jobs) {
  return { round_trips_per_job: (after.reads - before.reads) / jobs,
    bytes_per_job: (after.bytes - before.bytes) / jobs };
}

function emit(record) { process.stdout.write(`RESULT ${JSON.stringify(record)}\n`); }

// Runs `total` calls of `one(i)` from `concurrency` async loops.
async function inParallel(total, concurrency, one) {
  let next = 0;
  const loop = async () => { while (next < total) await one(next++); };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, loop));
}

// Splits `total` jobs into batches of `size`: [[start, count], ...].
function batches(total, size) {
  const out = [];
  for (let start = 0; start < total; start += size) out.push([start, Math.min(size, total - start)]);
  return out;
}

function args(usage) {
  const argv = process.argv.slice(2);
  if (argv.length < usage.length) {
    process.stderr.write(`usage: node ${process.argv[1]} ${usage.join(' ')}\n`);
    process.exit(2);
  }
  return argv;
}

// A pickup-latency loop: `enqueue(stamp)` adds one job carrying `stamp`; the worker calls
// `picked(stamp)` when the job starts. One job at a time, a random 0..gapMs apart (for a
// polling peer, gapMs = its polling interval, so enqueues do not fall in phase with polls).
function latencyProbe() {
  let waiting = null;
  return {
    picked(stamp) { if (waiting && waiting.stamp === stamp) waiting.resolve(nowMs() - stamp); },
    async run(samples, enqueue, gapMs = 20, timeoutMs = 10000) {
      const out = [];
      for (let i = 0; i < samples; i++) {
        const stamp = nowMs();
        const got = new Promise((resolve) => { waiting = { stamp, resolve }; });
        await enqueue(stamp);
        const ms = await Promise.race([got, sleep(timeoutMs).then(() => null)]);
        if (ms === null) throw new Error(`a job enqueued at ${stamp} was not picked up within ${timeoutMs} ms`);
        out.push(ms);
        await sleep(Math.random() * gapMs);
      }
      return out;
    },
  };
}

module.exports = { nowMs, sleep, jobArgs, percentiles, resources, redisStats, perJob, emit,
  inParallel, batches, args, latencyProbe };
