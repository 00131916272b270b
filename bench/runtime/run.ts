// bench/runtime: what the in-process runtime costs over bare isolated-vm, measured in one
// run on this machine. Run: `make bench-runtime` (node --no-node-snapshot --expose-gc).
// Writes bench/results/runtime.json and prints a table. A benchmark, not a test: it
// reports figures and ratios and never fails on them.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseFunctionConfig, type RunnableFunction } from '@mini-lambda/core';
import { createInProcessRuntime, runtimeLimits } from '@mini-lambda/runtime';
import ivm from 'isolated-vm';
import { isQuick, resultFile } from '../load.ts';
import { validatorBundle } from './fixtures/validator-bundle.ts';

const quick = isQuick();
const N_SEQ = quick ? 2_000 : 20_000;
const N_PAR = quick ? 5_000 : 50_000;
const N_COLD = quick ? 10 : 40;
const N_RSS = 100;
const EVENT = '{"id":"4b8f","items":[{"sku":"a","qty":1}]}';
const TINY = 'export function handler(event) { return event }';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

async function timeEach(n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - start) * 1000) / n; // µs per call
}

/** Runs `total` calls keeping `inFlight` outstanding; returns calls per second. */
async function throughput(
  total: number,
  inFlight: number,
  call: () => Promise<unknown>,
): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (started < total) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return total / ((performance.now() - t0) / 1000);
}

// --- bare isolated-vm: the floor we are measured against -------------------------------
async function bareIsolatedVm() {
  const isolates = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const isolate = new ivm.Isolate({ memoryLimit: 128 });
      const context = await isolate.createContext();
      const echo = await context.eval('(s) => s', { reference: true });
      return { isolate, echo };
    }),
  );
  const first = isolates[0];
  if (!first) throw new Error('no isolate');
  const applySync = await timeEach(N_SEQ, () => first.echo.applySync(undefined, [EVENT]));
  const apply = await timeEach(N_SEQ, () => first.echo.apply(undefined, [EVENT]));
  let next = 0;
  const parallel = await throughput(N_PAR, 64, () => {
    const target = isolates[next++ % isolates.length];
    return target
      ? target.echo.apply(undefined, [EVENT], { result: { promise: true } })
      : Promise.resolve();
  });
  // Lambda semantics allow one call per isolate at a time: the fair floor for the pool,
  // with as many lanes as the runtime lets execute at once (its CPU cap, the core count).
  const lanes = Math.min(isolates.length, Math.max(2, availableParallelism()));
  let lane = 0;
  const oneEach = await throughput(N_PAR, lanes, () => {
    const target = isolates[lane++ % lanes];
    return target
      ? target.echo.apply(undefined, [EVENT], { result: { promise: true } })
      : Promise.resolve();
  });
  const creates: number[] = [];
  for (let i = 0; i < N_COLD; i++) {
    const t0 = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    await isolate.createContext();
    creates.push(performance.now() - t0);
    isolate.dispose();
  }
  for (const { isolate } of isolates) isolate.dispose();
  return {
    applySyncUs: applySync,
    applyUs: apply,
    parallelPerSec: parallel,
    oneCallPerIsolatePerSec: oneEach,
    isolateContextMs: median(creates),
  };
}

// --- the runtime -------------------------------------------------------------------------
async function runtimeFigures(code50k: string, execution: 'async' | 'sync', spareIsolates = 2) {
  const bundles = new Map<string, string>();
  const runtime = createInProcessRuntime(
    { loadCode: async (fn) => bundles.get(fn.sha256) ?? '' },
    runtimeLimits({ maxIsolates: 1000, idleTtlMs: 600_000, execution, spareIsolates }),
  );
  const deploy = (name: string, code: string, version = 1, config = {}): RunnableFunction => {
    const sha256 = createHash('sha256').update(code).digest('hex');
    bundles.set(sha256, code);
    return { name, version, sha256, config: parseFunctionConfig(config) };
  };
  const mustSucceed = async (fn: RunnableFunction) => {
    const out = await runtime.invoke(fn, EVENT);
    if (!out.ok) throw new Error(`${fn.name}: ${out.reason} ${out.message}`);
    return out;
  };

  const echo = deploy('echo', TINY);
  await mustSucceed(echo);
  const sequentialUs = await timeEach(N_SEQ, () => runtime.invoke(echo, EVENT));
  const pooled = deploy('pooled', TINY, 1, { max_concurrency: 4 });
  await Promise.all(Array.from({ length: 4 }, () => mustSucceed(pooled)));
  const parallelPerSec = await throughput(N_PAR, 64, () => runtime.invoke(pooled, EVENT));

  // Cold starts: each new version is a new pool, so every first call creates an isolate.
  // Version 1 compiles without a code cache; the rest reuse the one it produced. A pause
  // between them lets the spare isolates refill, as they do between real cold starts.
  const coldStarts = async (name: string, code: string) => {
    const times: number[] = [];
    for (let v = 1; v <= N_COLD + 1; v++) {
      await new Promise((r) => setTimeout(r, 30));
      const out = await mustSucceed(deploy(name, code, v));
      if (!out.coldStart) throw new Error('expected a cold start');
      times.push(out.durationMs);
    }
    await runtime.retire(name);
    return { firstMs: times[0] ?? Number.NaN, cachedMedianMs: median(times.slice(1)) };
  };
  const coldTiny = await coldStarts('cold-tiny', TINY);
  const cold50k = await coldStarts('cold-50k', code50k);

  await runtime.retire('echo');
  await runtime.retire('pooled');
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const rssBefore = process.memoryUsage().rss;
  for (let v = 1; v <= N_RSS; v++) await mustSucceed(deploy('rss', TINY, v));
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const rssPerIsolateMb = (process.memoryUsage().rss - rssBefore) / N_RSS / 2 ** 20;
  const isolates = (await runtime.stats()).totals.isolates;
  await runtime.dispose();
  return {
    sequentialUs,
    parallelPerSec,
    coldTiny,
    cold50k,
    rssPerIsolateMb,
    isolatesMeasured: isolates,
  };
}

const code50k = await validatorBundle();
const bare = await bareIsolatedVm();
const ours = await runtimeFigures(code50k, 'async');
const sync = await runtimeFigures(code50k, 'sync');
const noSpares = await runtimeFigures(code50k, 'async', 0);

const result = {
  benchmark: 'runtime',
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    quick,
  },
  bundle50kBytes: code50k.length,
  baseline: {
    bareApplySyncUs: round(bare.applySyncUs),
    bareApplyAsyncUs: round(bare.applyUs),
    bareParallelCallsPerSec: Math.round(bare.parallelPerSec),
    bareOneCallPerIsolateCallsPerSec: Math.round(bare.oneCallPerIsolatePerSec),
    bareIsolateAndContextMs: round(bare.isolateContextMs),
  },
  runtime: {
    warmSequentialUs: round(ours.sequentialUs),
    warmParallel64CallsPerSec: Math.round(ours.parallelPerSec),
    warmParallel64UsPerCall: round(1e6 / ours.parallelPerSec),
    coldStartTinyFirstMs: round(ours.coldTiny.firstMs),
    coldStartTinyMs: round(ours.coldTiny.cachedMedianMs),
    coldStart50kFirstMs: round(ours.cold50k.firstMs),
    coldStart50kMs: round(ours.cold50k.cachedMedianMs),
    rssPerIdleIsolateMb: round(ours.rssPerIsolateMb),
    coldStartTinyNoSparesMs: round(noSpares.coldTiny.cachedMedianMs),
    coldStart50kNoSparesMs: round(noSpares.cold50k.cachedMedianMs),
  },
  runtimeSyncExecution: {
    warmSequentialUs: round(sync.sequentialUs),
    warmParallel64CallsPerSec: Math.round(sync.parallelPerSec),
    warmParallel64UsPerCall: round(1e6 / sync.parallelPerSec),
    coldStartTinyMs: round(sync.coldTiny.cachedMedianMs),
    coldStart50kMs: round(sync.cold50k.cachedMedianMs),
  },
  ratios: {
    warmSequentialVsBareAsyncApply: round(ours.sequentialUs / bare.applyUs),
    syncWarmSequentialVsBareApplySync: round(sync.sequentialUs / bare.applySyncUs),
    warmParallelVsBareParallel: round(ours.parallelPerSec / bare.parallelPerSec),
    warmParallelVsBareOneCallPerIsolate: round(ours.parallelPerSec / bare.oneCallPerIsolatePerSec),
    coldTinyVsBareIsolateAndContext: round(ours.coldTiny.cachedMedianMs / bare.isolateContextMs),
  },
  targets: { warmCallUs: 15, coldStartTinyMs: 5, coldStart50kMs: 10, rssPerIdleIsolateMb: 1.5 },
};

// As the other scenarios: --quick runs write runtime.quick.json, BENCH_RESULTS_DIR moves it.
const out = resultFile('runtime', quick);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

const rows: [string, string | number, string | number][] = [
  [
    'warm call, sequential (µs)',
    result.runtime.warmSequentialUs,
    `bare apply ${result.baseline.bareApplyAsyncUs}, applySync ${result.baseline.bareApplySyncUs}`,
  ],
  [
    'sync execution: warm call, sequential (µs)',
    result.runtimeSyncExecution.warmSequentialUs,
    `bare applySync ${result.baseline.bareApplySyncUs}; target ≤ 15`,
  ],
  [
    'sync execution: warm calls/s, 64 in flight',
    result.runtimeSyncExecution.warmParallel64CallsPerSec,
    `${result.runtimeSyncExecution.warmParallel64UsPerCall} µs/call`,
  ],
  [
    'warm calls/s, 64 in flight, 4 isolates',
    result.runtime.warmParallel64CallsPerSec,
    `bare ${result.baseline.bareParallelCallsPerSec}`,
  ],
  ['warm call, 64 in flight (µs/call)', result.runtime.warmParallel64UsPerCall, 'target ≤ 15'],
  [
    'cold start tiny (ms, code cached)',
    result.runtime.coldStartTinyMs,
    `no spares ${result.runtime.coldStartTinyNoSparesMs}; first ${result.runtime.coldStartTinyFirstMs}; bare isolate+context ${result.baseline.bareIsolateAndContextMs}; target ≤ 5`,
  ],
  [
    `cold start ${Math.round(code50k.length / 1024)} KB bundle (ms, cached)`,
    result.runtime.coldStart50kMs,
    `no spares ${result.runtime.coldStart50kNoSparesMs}; first ${result.runtime.coldStart50kFirstMs}; target ≤ 10`,
  ],
  ['RSS per idle isolate (MB)', result.runtime.rssPerIdleIsolateMb, `over ${N_RSS}; target ≤ 1.5`],
];
console.table(rows.map(([what, value, context]) => ({ what, value, context })));
console.log(`written: ${out}`);
