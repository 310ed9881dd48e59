// Turns result records into rows of the benchmark CSV, in its column order.
//   stdin: lines "RESULT {json}"  ->  stdout: CSV rows
//   --kv key=value ...            ->  stdout: one CSV row
'use strict';
const columns = ['system', 'version', 'store', 'scenario', 'concurrency', 'jobs', 'seconds',
  'jobs_per_sec', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms', 'rss_mb', 'cpu_s_per_1k',
  'round_trips_per_job', 'bytes_per_job', 'notes'];

function cell(value) {
  if (value === undefined || value === null || (typeof value === 'number' && !Number.isFinite(value))) return '';
  let text = typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
  if (/[",\n\r]/.test(text)) text = '"' + text.replace(/"/g, '""') + '"';
  return text;
}
function toRow(record) {
  const unknown = Object.keys(record).filter((k) => !columns.includes(k));
  if (unknown.length) throw new Error(`csv.js: unknown column(s) ${unknown.join(', ')} in ${JSON.stringify(record)}`);
  for (const k of ['system', 'store', 'scenario']) {
    if (!record[k]) throw new Error(`csv.js: record without ${k}: ${JSON.stringify(record)}`);
  }
  return columns.map((c) => cell(record[c])).join(',') + '\n';
}

if (process.argv[2] === '--kv') {
  const record = {};
  for (const arg of process.argv.slice(3)) {
    const eq = arg.indexOf('=');
    if (eq < 0) throw new Error(`csv.js: expected key=value, got ${arg}`);
    const [k, v] = [arg.slice(0, eq), arg.slice(eq + 1)];
    if (v !== '') record[k] = /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/i.test(v) ? Number(v) : v;
  }
  process.stdout.write(toRow(record));
} else {
  let input = '';
  process.stdin.on('data', (d) => { input += d; });
  process.stdin.on('end', () => {
    for (const line of input.split('\n')) {
      if (line.startsWith('RESULT ')) process.stdout.write(toRow(JSON.parse(line.slice(7))));
    }
  });
}
