// Bounded loopback load with autocannon, used programmatically, and the results files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuPerRequest, cpuSnapshot } from './proc-cpu.ts';

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/**
 * A target of `interleaved`: a URL (POSTed the shared body) or a request of its own. A GET
 * sends no body: what an HTTP trigger answering a plain page sees.
 */
export type LoadTarget = string | { url: string; method: 'GET' } | { url: string; body: string };

/**
 * POSTs `body` to `url` (GETs it when `method` is GET) with `connections` for `seconds`;
 * loopback only, stops by itself.
 */
export async function load(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  method: 'GET' | 'POST' = 'POST',
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`loopback only: ${url}`);
  const request =
    method === 'GET'
      ? { method }
      : { method, body, headers: { 'content-type': 'application/json' } };
  const result = await autocannon({ url, ...request, connections, duration: seconds });
  return {
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export interface Summary {
  rps_median: number;
  p50_ms_median: number;
  p99_ms_median: number;
  /** Failed and non-2xx requests, warm-up included. */
  errors: number;
  /** Requests/s of each round, in order. */
  runs: number[];
  /**
   * Median CPU time per request of each process group given in `cpu` (user + system,
   * µs), and of the load generator (this process) under `load-generator`.
   */
  cpu_us_per_request?: Record<string, number>;
}

/** Process groups whose CPU time a target's runs are charged with: label → pids. */
export type CpuGroups = () => Record<string, number[]>;

/**
 * Loads each target in turn, round after round (A B C A B C …), after a 1 s warm-up of
 * each, printing every run; returns each target's medians. With `cpu`, each run also
 * measures the CPU time that the target's processes (and the load generator) spent per
 * request: a figure that other load on a shared machine moves far less than req/s.
 */
export async function interleaved<K extends string>(
  targets: Record<K, LoadTarget>,
  body: string,
  options: { rounds: number; seconds: number; connections: number },
  cpu: Partial<Record<K, CpuGroups>> = {},
): Promise<Record<K, Summary>> {
  const entries = Object.entries(targets) as [K, LoadTarget][];
  const fire = (target: LoadTarget, seconds: number) => {
    if (typeof target === 'string') return load(target, body, options.connections, seconds);
    if ('method' in target) return load(target.url, '', options.connections, seconds, 'GET');
    return load(target.url, target.body, options.connections, seconds);
  };
  const runs = new Map<K, LoadResult[]>(entries.map(([name]) => [name, []]));
  const cpuRuns = new Map<K, Record<string, number>[]>(entries.map(([name]) => [name, []]));
  const warmupErrors = new Map<K, number>();
  for (const [name, target] of entries) {
    const r = await fire(target, 1);
    warmupErrors.set(name, r.errors + r.non2xx);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, target] of entries) {
      const groups = cpu[name]?.();
      const before = groups && cpuSnapshot(groups);
      const r = await fire(target, options.seconds);
      if (groups && before) {
        cpuRuns.get(name)?.push(cpuPerRequest(before, cpuSnapshot(groups), r.requests));
      }
      runs.get(name)?.push(r);
      const cpuText = groups ? `  cpu µs/req ${JSON.stringify(cpuRuns.get(name)?.at(-1))}` : '';
      process.stdout.write(
        `round ${round + 1} ${name.padEnd(15)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors + r.non2xx}${cpuText}\n`,
      );
    }
  }
  const summarize = (name: K): Summary => {
    const rs = runs.get(name) ?? [];
    const cpus = cpuRuns.get(name) ?? [];
    const labels = Object.keys(cpus[0] ?? {});
    return {
      rps_median: Math.round(median(rs.map((r) => r.rps))),
      p50_ms_median: median(rs.map((r) => r.p50_ms)),
      p99_ms_median: median(rs.map((r) => r.p99_ms)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, warmupErrors.get(name) ?? 0),
      runs: rs.map((r) => Math.round(r.rps)),
      ...(labels.length > 0
        ? {
            cpu_us_per_request: Object.fromEntries(
              labels.map((l) => [l, median(cpus.map((c) => c[l] ?? 0))]),
            ),
          }
        : {}),
    };
  };
  return Object.fromEntries(entries.map(([name]) => [name, summarize(name)])) as Record<K, Summary>;
}

/** `a / b` to three decimals, as the results files give ratios. */
export const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

/**
 * One line of a scenario's summary table (bench/results/SUMMARY.md): a figure, and the
 * target it is held against where the issue sets one.
 */
export interface Headline {
  what: string;
  value: number | string;
  unit?: string;
  target?: string;
  /** Whether the target is met; absent when there is no target. */
  met?: boolean;
}

/** Where results go: `bench/results/`, or `BENCH_RESULTS_DIR` (the CI smoke run's temp dir). */
function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? fileURLToPath(new URL('./results/', import.meta.url));
}

/** `<results>/<name>[.quick].<ext>`: a scenario's results file, or the summary's. */
export function resultFile(name: string, quick: boolean, ext = 'json'): string {
  return join(resultsDir(), `${name}${quick ? '.quick' : ''}.${ext}`);
}

/** `--quick`: about a second of load per target, as CI's smoke run does. */
export const isQuick = (argv = process.argv) => argv.includes('--quick');

/**
 * Writes `<results>/<name>[.quick].json` with the date and the machine; returns its path.
 * `headline` feeds the markdown summary; the rest is the scenario's own detail.
 */
export function writeResult(
  name: string,
  quick: boolean,
  result: { headline: Headline[] } & Record<string, unknown>,
): string {
  const out = resultFile(name, quick);
  mkdirSync(dirname(out), { recursive: true });
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version };
  const body = { benchmark: name, date: new Date().toISOString(), machine, ...result };
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  return out;
}
