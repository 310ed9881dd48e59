// Pushes random doubles of every magnitude with Node's Sidekiq client (npm `sidekiq`,
// which writes each job with JSON.stringify, so each number as JavaScript's shortest
// round-trip text: String(x)), 100 per job in one argument, and prints what each job
// carries: {"jid": [[bits as 16 hex digits, the text JavaScript wrote], ...], ...}.
//   NODE_PATH=<dir>/node_modules node push_random_floats.js redis://HOST:PORT/DB COUNT SEED
'use strict';
const Sidekiq = require('sidekiq');
const redis = require('redis');

const [url, countArg, seedArg] = process.argv.slice(2);
if (!url || !countArg || !seedArg) throw new Error('usage: push_random_floats.js redis://HOST:PORT/DB COUNT SEED');
const target = new URL(url);
if (target.protocol !== 'redis:' || target.username || target.password || target.search) {
  throw new Error(`push_random_floats.js: only redis://HOST:PORT/DB is supported, not ${url}`);
}
const db = Number(target.pathname.slice(1) || '0');
const count = Number(countArg);

// splitmix64: 64 random bits per call, the same sequence for the same seed.
let state = BigInt.asUintN(64, BigInt(seedArg));
function next64() {
  state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
  let z = state;
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return z ^ (z >> 31n);
}
const below = (n) => Number(next64() % BigInt(n));

const view = new DataView(new ArrayBuffer(8));
function fromBits(bits) {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
function bitsOf(x) {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}
const hex = (x) => bitsOf(x).toString(16).padStart(16, '0');
const neighbours = (x) => [fromBits(bitsOf(x) - 1n), x, fromBits(bitsOf(x) + 1n)];  // for x > 0

// Values where conversions go wrong, and where String(x) changes form: plain digits up to
// 1e21 (exclusive) and down to 1e-6, exponent form beyond ("1e+21", "1e-7").
const edges = [
  5e-324, 1e-323, 2.225073858507201e-308, 2.2250738585072014e-308, 1e-308,
  ...neighbours(1e-7), ...neighbours(1e-6), 0.1, 0.2, 0.30000000000000004, 0.5, 1, 2, 10, 19.99, 1700000000.0001855,
  ...neighbours(2 ** 53), Number.MAX_SAFE_INTEGER, 2 ** 63, 2 ** 64, 123456789012345680000, ...neighbours(1e21),
  1e22, 1e23, 9.999999999999999e22, 2 ** 70, 1e100, 1e300, ...neighbours(Number.MAX_VALUE).slice(0, 2), 0,
];

// One random double, from one of several families; any sign.
function draw() {
  let x;
  switch (below(6)) {
    case 0:  // random bits: every exponent, subnormals now and then
    case 1:
      x = fromBits(next64());
      break;
    case 2:  // a subnormal (exponent bits zero)
      x = fromBits(next64() & 0x000fffffffffffffn);
      break;
    case 3:  // an integer of up to 90 bits, as the nearest double: "42", "123456789012345680000", "1.2379400392853803e+27"
      x = Number(BigInt.asUintN(1 + below(90), next64() << 32n | next64() >> 32n));
      break;
    case 4:  // a short decimal, as people write them: "19.99", "0.00042", "3.5e-9"
      x = Number(`${below(10 ** (1 + below(6)))}e${below(31) - 15}`);
      break;
    default:  // up to 17 significant digits around where String(x) changes form
      x = Number(`0.${String(next64()).slice(0, 1 + below(17))}e${below(40) - 14}`);
  }
  return next64() & 1n ? -x : x;
}

// NaN and infinity are not JSON; JSON.stringify(-0) is "0", so JavaScript cannot send a negative zero.
const usable = (x) => Number.isFinite(x) && !Object.is(x, -0);
const values = edges.flatMap((e) => [e, -e]).filter(usable).slice(0, count);
while (values.length < count) {
  const x = draw();
  if (usable(x)) values.push(x);
}
for (const x of values) {
  // The premise of the test: the text JavaScript writes reads back as the same double.
  if (!Object.is(JSON.parse(JSON.stringify(x)), x) || JSON.stringify(x) !== String(x)) {
    throw new Error(`push_random_floats.js: JavaScript does not round-trip ${hex(x)} (${x})`);
  }
}

const client = redis.createClient(Number(target.port || 6379), target.hostname);
client.on('error', (err) => {
  process.stderr.write(`push_random_floats.js: Redis at ${url}: ${err}\n`);
  process.exit(1);
});
client.select(db);
const sidekiq = new Sidekiq(client);

function enqueue(slice) {
  const payload = { queue: 'floats' };
  return new Promise((resolve, reject) => {
    sidekiq.enqueue('FloatsWorker', [slice], payload, (err) => (err ? reject(err) : resolve(payload.jid)));
  });
}

async function main() {
  const expected = {};
  for (let i = 0; i < values.length; i += 100) {
    const slice = values.slice(i, i + 100);
    const jid = await enqueue(slice);
    expected[jid] = slice.map((x) => [hex(x), JSON.stringify(x)]);
  }
  client.quit();
  process.stdout.write(JSON.stringify(expected) + '\n');
}
main().catch((err) => {
  process.stderr.write(`push_random_floats.js: ${err.stack || err}\n`);
  process.exit(1);
});
