// What the host operations cost a function, against the in-isolate alternatives: URL
// parsing (Node's parser across the bridge vs whatwg-url bundled into the function), SHA-256
// digests (Node's WebCrypto across the bridge vs @noble/hashes in the isolate), and random
// values (our pool vs one crossing per call). Also what whatwg-url costs every isolate that
// loads it. Not a test: figures for docs and reviews.
//
// Run: npm install --prefix /tmp/bench-alt whatwg-url@17.3.0 @noble/hashes@2.4.0
//      node --no-node-snapshot packages/runtime/test/platform/host-ops-bench.ts /tmp/bench-alt
import { createHash, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { build } from 'esbuild';
import ivm from '../../src/ivm.ts';
import { createTestRuntime } from '../harness.ts';

const altDir = process.argv[2];
if (altDir === undefined) {
  console.error('usage: host-ops-bench.ts DIR (a directory with whatwg-url and @noble/hashes)');
  process.exit(2);
}

const URLS = [
  'https://user:pw@example.com:8080/a/b/../c?x=1&y=2#frag',
  'http://127.1/path?q',
  'https://bücher.de/straße?ä=ö',
  '/relative/path?z=1',
];
const BASE = 'https://api.example.com/v1/';
const ROUNDS = 5;

/** The bundle of `entry` (an ES module source) resolving packages from altDir. */
async function bundle(entry: string, format: 'esm' | 'iife'): Promise<string> {
  const out = await build({
    stdin: { contents: entry, resolveDir: altDir, loader: 'js' },
    bundle: true,
    format,
    target: 'es2022',
    minify: true,
    write: false,
    nodePaths: [join(altDir as string, 'node_modules')],
    // webidl-conversions (under whatwg-url) reads SharedArrayBuffer.prototype when loaded,
    // and our isolates have no SharedArrayBuffer: a stand-in lets it load.
    banner: {
      js: 'globalThis.SharedArrayBuffer ??= class SharedArrayBuffer { get byteLength() { return 0; } get growable() { return false; } };',
    },
  });
  return out.outputFiles[0]?.text ?? '';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (us: number) => `${us.toFixed(2)} µs`;

// Sandboxes run warm calls on their own thread ('sync', the default there), where a host
// call is a plain call; in-process runtimes default to 'async', a hop between threads.
let t = createTestRuntime({ execution: 'sync' });

/** Deploys `code` and returns the median of what its handler reports over ROUNDS calls. */
async function measure(name: string, code: string): Promise<Record<string, number>> {
  const fn = t.deploy(name, code, { timeout_ms: 60_000 });
  await t.runtime.invoke(fn, '{"warm":true}');
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const out = await t.runtime.invoke(fn, '{}');
    if (!out.ok) throw new Error(`${name}: ${out.reason}: ${out.message}`);
    runs.push(JSON.parse(out.result));
  }
  const keys = Object.keys(runs[0] ?? {});
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k] as number))]));
}

/** A handler timing `body` (run `n` times, `i` the index) in µs per call. */
const timed = (n: number, body: string, setup = '') => `
  ${setup}
  export async function handler(event) {
    const n = event.warm ? 10 : ${n};
    const inputs = ${JSON.stringify(URLS)};
    const base = ${JSON.stringify(BASE)};
    let sink = 0;
    const started = Date.now();
    for (let i = 0; i < n; i++) { ${body} }
    return { us: ((Date.now() - started) * 1000) / n, sink: sink > 0 ? 1 : 0 };
  }`;

async function urlCosts() {
  // Unique inputs miss the isolate's cache of recent parses; the four repeated ones hit it.
  const unique =
    'const u = new URL("/p/" + i + "?q=" + i, base); sink += u.href.length + u.pathname.length;';
  const repeated =
    'const u = new URL(inputs[i & 3], base); sink += u.href.length + u.pathname.length;';
  const whatwg = "import { URL } from 'whatwg-url';";
  const hostMiss = await measure('bench-url-miss', timed(50_000, unique));
  const hostHit = await measure('bench-url-hit', timed(200_000, repeated));
  const whatwgMiss = await measure(
    'bench-url-wmiss',
    await bundle(timed(50_000, unique, whatwg), 'esm'),
  );
  const whatwgHit = await measure(
    'bench-url-whit',
    await bundle(timed(50_000, repeated, whatwg), 'esm'),
  );
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += new URL(`/p/${i}?q=${i}`, BASE).href.length;
  const node = ((performance.now() - started) * 1000) / 200_000;
  const search = await measure(
    'bench-url-search',
    timed(50_000, 'const p = new URLSearchParams("a=1&b=%C3%A9+x&c"); sink += p.get("b").length;'),
  );
  console.log('\nURL parse (relative to a base) + href + pathname, per call:');
  console.log(
    `  host op, new inputs (Node's parser across the bridge)   ${fmt(hostMiss.us ?? NaN)}`,
  );
  console.log(
    `  host op, repeated inputs (the isolate's parse cache)    ${fmt(hostHit.us ?? NaN)}`,
  );
  console.log(
    `  whatwg-url 17 in the isolate, new inputs                ${fmt(whatwgMiss.us ?? NaN)}`,
  );
  console.log(
    `  whatwg-url 17 in the isolate, repeated inputs           ${fmt(whatwgHit.us ?? NaN)}`,
  );
  console.log(
    `  Node's URL in Node itself (no isolate)                  ${fmt(node)}  (${sink > 0})`,
  );
  console.log(`  URLSearchParams parse + get (pure JS in the isolate)    ${fmt(search.us ?? NaN)}`);
}

/** What loading whatwg-url costs an isolate: evaluation time and heap. */
async function whatwgLoadCost() {
  // A bare isolate, to count whatwg-url alone: it builds a TextEncoder and a TextDecoder
  // when loaded (and calls them only when parsing), so stand-ins do.
  const standIns = 'globalThis.TextEncoder = class {}; globalThis.TextDecoder = class {};';
  const script =
    standIns + (await bundle("import { URL } from 'whatwg-url'; globalThis.WURL = URL;", 'iife'));
  const times: number[] = [];
  const heaps: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = await isolate.createContext();
    const before = await isolate.getHeapStatistics();
    const started = performance.now();
    await context.eval(script);
    times.push(performance.now() - started);
    const after = await isolate.getHeapStatistics();
    heaps.push(after.used_heap_size - before.used_heap_size);
    isolate.dispose();
  }
  console.log('\nwhatwg-url loaded into an isolate (what every isolate would pay):');
  console.log(
    `  bundle ${(script.length / 1024).toFixed(0)} KiB, evaluation ${median(times).toFixed(1)} ms, heap +${(median(heaps) / 1024 / 1024).toFixed(2)} MiB`,
  );
}

async function digestCosts() {
  const sizes = [64, 1024, 64 * 1024, 1024 * 1024];
  console.log('\nSHA-256 digest, per call (ours: one synchronous call up to 64 KiB, else async):');
  for (const size of sizes) {
    const n = size >= 1024 * 1024 ? 50 : size >= 65536 ? 500 : 5000;
    const data = `const data = new Uint8Array(${size}).fill(7);`;
    const host = await measure(
      `bench-digest-${size}`,
      timed(n, 'sink += (await crypto.subtle.digest("SHA-256", data)).byteLength;', data),
    );
    const noble = await measure(
      `bench-noble-${size}`,
      await bundle(
        timed(
          n,
          'sink += sha256(data).length;',
          `import { sha256 } from '@noble/hashes/sha2.js'; ${data}`,
        ),
        'esm',
      ),
    );
    const bytes = new Uint8Array(size).fill(7);
    const m = n * 4;
    let started = performance.now();
    for (let i = 0; i < m; i++) await webcrypto.subtle.digest('SHA-256', bytes);
    const nodeSubtle = ((performance.now() - started) * 1000) / m;
    started = performance.now();
    for (let i = 0; i < m; i++) createHash('sha256').update(bytes).digest();
    const nodeHash = ((performance.now() - started) * 1000) / m;
    console.log(
      `  ${String(size).padStart(7)} B: ours ${fmt(host.us ?? NaN)} | @noble/hashes in isolate ${fmt(noble.us ?? NaN)} | Node subtle.digest ${fmt(nodeSubtle)} | Node createHash ${fmt(nodeHash)}`,
    );
  }
}

async function hmacCosts() {
  const setup = `const key = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    const body = new Uint8Array(1024).fill(7);`;
  const sign = await measure(
    'bench-hmac-sign',
    timed(5000, 'sink += (await crypto.subtle.sign("HMAC", key, body)).byteLength;', '').replace(
      'let sink = 0;',
      `let sink = 0; ${setup}`,
    ),
  );
  const big = await measure(
    'bench-hmac-big',
    timed(500, 'sink += (await crypto.subtle.sign("HMAC", key, body)).byteLength;', '').replace(
      'let sink = 0;',
      `let sink = 0; ${setup.replace('1024', '65537')}`,
    ),
  );
  console.log('\nHMAC-SHA-256 sign, per call:');
  console.log(`  1 KiB (one synchronous call)           ${fmt(sign.us ?? NaN)}`);
  console.log(`  64 KiB + 1 (WebCrypto's async path)    ${fmt(big.us ?? NaN)}`);
}

async function randomCosts() {
  const pool = await measure('bench-uuid', timed(200_000, 'sink += crypto.randomUUID().length;'));
  const small = await measure(
    'bench-grv-16',
    timed(200_000, 'sink += crypto.getRandomValues(a)[0] + 1;', 'const a = new Uint8Array(16);'),
  );
  const direct = await measure(
    'bench-grv-257',
    timed(50_000, 'sink += crypto.getRandomValues(a)[0] + 1;', 'const a = new Uint8Array(257);'),
  );
  console.log('\nRandom values, per call:');
  console.log(`  randomUUID from the pool (one crossing per 4 KiB)        ${fmt(pool.us ?? NaN)}`);
  console.log(`  getRandomValues(16 bytes) from the pool                  ${fmt(small.us ?? NaN)}`);
  console.log(
    `  getRandomValues(257 bytes): one crossing per call        ${fmt(direct.us ?? NaN)}`,
  );
}

for (const execution of ['sync', 'async'] as const) {
  t = createTestRuntime({ execution });
  console.log(`\n=== warm calls run '${execution}' ===`);
  try {
    await urlCosts();
    await digestCosts();
    await hmacCosts();
    await randomCosts();
  } finally {
    await t.runtime.dispose();
  }
}
await whatwgLoadCost();
