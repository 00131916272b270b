// bench/cpu (scenario 4): throughput of a CPU-bound function across the cores. Each call
// runs ~1 ms of pure JS (`spin`, calibrated here at start). Three targets, interleaved
// (A B C per round): mini-lambda with the default sandboxes (one per core), mini-lambda
// with SANDBOXES=1, and a bare Hono process doing the same work in the host. Ideal on
// N cores: N × 1,000 calls/s, less the load generator's share. A benchmark, not a test.
// Run: `node --no-node-snapshot bench/cpu/run.ts [--quick]`; writes bench/results/cpu.json.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { type Headline, interleaved, isQuick, median, ratio, writeResult } from '../load.ts';
import { cpuMicros } from '../proc-cpu.ts';
import { calibrate, SPIN_HANDLER, spin } from './spin.ts';

const quick = isQuick();
const cores = availableParallelism();
// 16 connections keep every core's queue full without the load generator taking over.
const setup = { rounds: quick ? 1 : 3, seconds: quick ? 1 : 2, connections: 16 };
const MAX_CONCURRENCY = 8;

const t0 = performance.now();
/** A progress line with the seconds since start, for the wall-time budget. */
const say = (line: string) =>
  process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);

const iterations = calibrate(1);
const EVENT = JSON.stringify({ n: iterations });
say(`calibrated: ${iterations} rounds of spin ≈ 1 ms here`);

const stops: (() => Promise<unknown>)[] = [];
/** Starts all at once; whatever started is stopped in `finally`, even if another failed. */
async function startAll<T extends { stop(): Promise<unknown> }>(ps: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(ps);
  for (const s of settled) if (s.status === 'fulfilled') stops.push(() => s.value.stop());
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Median `X-Duration-Ms` of sequential calls (the isolate's own time), checking the hash. */
async function perCallMs(url: string, calls: number): Promise<number> {
  const expected = spin(iterations);
  const durations: number[] = [];
  for (let i = 0; i < calls; i++) {
    const res = await fetch(url, { method: 'POST', body: EVENT });
    const body = (await res.json()) as { hash?: number };
    if (res.status !== 200 || body.hash !== expected)
      throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
    durations.push(Number(res.headers.get('x-duration-ms')));
  }
  return median(durations);
}

let exitCode = 0;
try {
  say('starting two servers and the bare Hono baseline');
  const [byDefault, oneSandbox] = await startAll([
    startServerProcess({}),
    startServerProcess({ SANDBOXES: '1' }),
  ]);
  const [hono] = await startAll([
    startBareHono(fileURLToPath(new URL('./bare-hono-spin.ts', import.meta.url))),
  ]);
  if (!byDefault || !oneSandbox || !hono) throw new Error('a target did not start');
  for (const s of [byDefault, oneSandbox])
    await s.deploy('spin', SPIN_HANDLER, `?max_concurrency=${MAX_CONCURRENCY}`);
  const targets = {
    [`${cores}-sandboxes`]: `${byDefault.url}/functions/spin/invoke`,
    '1-sandbox': `${oneSandbox.url}/functions/spin/invoke`,
    'bare-hono': `${hono.url}/functions/spin/invoke`,
  };
  const isolateMs = await perCallMs(targets[`${cores}-sandboxes`] as string, 20);
  say(`deployed; one call in the isolate: ${isolateMs} ms (median of 20)`);

  // Each sandbox's CPU over the whole run: does the second core's sandbox get work?
  const stats = (await (await fetch(`${byDefault.url}/stats/pools`)).json()) as {
    sandboxes?: { pid: number }[];
  };
  const sandboxPids = (stats.sandboxes ?? []).map((s) => s.pid);
  const cpuBefore = sandboxPids.map(cpuMicros);

  say(`loading: ${setup.rounds} rounds × ${setup.seconds} s per target`);
  const summary = await interleaved(targets, EVENT, setup);
  const sandboxCpuS = sandboxPids.map((pid, i) =>
    Number(((cpuMicros(pid) - (cpuBefore[i] ?? 0)) / 1e6).toFixed(2)),
  );

  const many = summary[`${cores}-sandboxes`];
  const one = summary['1-sandbox'];
  const bare = summary['bare-hono'];
  if (!many || !one || !bare) throw new Error('missing summary');
  const ratios = {
    default_vs_one_sandbox: ratio(many.rps_median, one.rps_median),
    default_vs_bare_hono: ratio(many.rps_median, bare.rps_median),
    one_sandbox_vs_bare_hono: ratio(one.rps_median, bare.rps_median),
  };
  const latency = (s: typeof many) => `${s.p50_ms_median} / ${s.p99_ms_median}`;
  const headline: Headline[] = [
    { what: `mini-lambda, ${cores} sandboxes (default)`, value: many.rps_median, unit: 'req/s' },
    { what: `  p50 / p99`, value: latency(many), unit: 'ms' },
    { what: 'mini-lambda, SANDBOXES=1', value: one.rps_median, unit: 'req/s' },
    { what: `  p50 / p99`, value: latency(one), unit: 'ms' },
    { what: 'bare Hono, same work in the host', value: bare.rps_median, unit: 'req/s' },
    { what: `  p50 / p99`, value: latency(bare), unit: 'ms' },
    {
      what: `default / 1 sandbox (ideal ≈ ${cores}, less the load generator's share)`,
      value: ratios.default_vs_one_sandbox,
    },
    { what: 'default / bare Hono', value: ratios.default_vs_bare_hono },
  ];
  const errors = many.errors + one.errors + bare.errors;
  const out = writeResult('cpu', quick, {
    setup: {
      ...setup,
      quick,
      order: 'interleaved A B C per round',
      spin_rounds_per_call: iterations,
      calibrated_ms_per_call: 1,
      max_concurrency: MAX_CONCURRENCY,
    },
    targets: { ideal_rps: `≈ ${cores * 1000} (${cores} cores × 1 ms calls)` },
    headline,
    errors,
    summary,
    ratios,
    isolate_ms_per_call: isolateMs,
    default_sandbox_cpu_s: sandboxCpuS,
  });
  say(`${JSON.stringify(ratios)}; CPU s of each default sandbox: ${sandboxCpuS.join(', ')}`);
  say(`wrote ${out}`);
} catch (err) {
  process.stderr.write(
    `bench-cpu: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  exitCode = 1;
} finally {
  await Promise.all(stops.map((stop) => stop()));
}
process.exit(exitCode);
