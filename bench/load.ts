// Bounded loopback load with autocannon, used programmatically, and the results files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** POSTs `body` to `url` with `connections` for `seconds`; loopback only, stops by itself. */
export async function load(
  url: string,
  body: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`loopback only: ${url}`);
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    connections,
    duration: seconds,
  });
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
  errors: number;
  /** Requests/s of each round, in order. */
  runs: number[];
}

/**
 * Loads each target in turn, round after round (A B C A B C …), after a 1 s warm-up of
 * each, printing every run; returns each target's medians.
 */
export async function interleaved<K extends string>(
  targets: Record<K, string>,
  body: string,
  options: { rounds: number; seconds: number; connections: number },
): Promise<Record<K, Summary>> {
  const entries = Object.entries(targets) as [K, string][];
  const runs = new Map<K, LoadResult[]>(entries.map(([name]) => [name, []]));
  for (const [, url] of entries) await load(url, body, options.connections, 1);
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, url] of entries) {
      const r = await load(url, body, options.connections, options.seconds);
      runs.get(name)?.push(r);
      process.stdout.write(
        `round ${round + 1} ${name.padEnd(15)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors + r.non2xx}\n`,
      );
    }
  }
  const summarize = (rs: LoadResult[]): Summary => ({
    rps_median: Math.round(median(rs.map((r) => r.rps))),
    p50_ms_median: median(rs.map((r) => r.p50_ms)),
    p99_ms_median: median(rs.map((r) => r.p99_ms)),
    errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
    runs: rs.map((r) => Math.round(r.rps)),
  });
  return Object.fromEntries(
    entries.map(([name]) => [name, summarize(runs.get(name) ?? [])]),
  ) as Record<K, Summary>;
}

/** `a / b` to three decimals, as the results files give ratios. */
export const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

/** Writes `bench/results/<name>[.quick].json` with the date and the machine; returns its path. */
export function writeResult(name: string, quick: boolean, result: Record<string, unknown>): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const out = `${dir}${name}${quick ? '.quick' : ''}.json`;
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version };
  const body = { benchmark: name, date: new Date().toISOString(), machine, ...result };
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  return out;
}
