// bench/sandbox: what sandbox processes cost on warm invoke throughput, against isolates
// in the server process, measured in one run: `make bench-sandbox` (`--quick` for a
// short smoke run). Three servers run side by side and are loaded in turn (A B C A B C …);
// medians and ratios go to bench/results/sandbox.json. A benchmark, not a test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../packages/server/test/server-process.ts';
import { type LoadResult, load, median } from '../load.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 1 : 5;
const CONNECTIONS = 32;
const HELLO = 'export function handler(event) { return { hello: event?.name ?? "world" } }';
const EVENT = '{"name":"bench"}';

// Each as the server runs it by default, plus sandboxes with the in-process call mode.
const variants = {
  'in-process': { SANDBOXES: '0' }, // isolates in the server, async calls
  sandboxes: { SANDBOXES: String(availableParallelism()) }, // sync calls in each sandbox
  'sandboxes-async': { SANDBOXES: String(availableParallelism()), POOL_EXECUTION: 'async' },
} as const;
type Variant = keyof typeof variants;

const servers = await Promise.all(
  Object.entries(variants).map(async ([name, env]) => {
    const server = await startServerProcess(env);
    await server.deploy('hello', HELLO, '?max_concurrency=64');
    return [name as Variant, server] as const;
  }),
).catch((err: unknown) => {
  process.stderr.write(`bench-sandbox: ${String(err)}\n`);
  process.exit(1);
});

const runs: Record<Variant, LoadResult[]> = {
  'in-process': [],
  sandboxes: [],
  'sandboxes-async': [],
};
try {
  for (const [, server] of servers)
    await load(`${server.url}/functions/hello/invoke`, EVENT, CONNECTIONS, 1); // warm
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of servers) {
      const result = await load(
        `${server.url}/functions/hello/invoke`,
        EVENT,
        CONNECTIONS,
        SECONDS,
      );
      runs[name].push(result);
      process.stdout.write(
        `round ${round + 1} ${name.padEnd(15)} ${result.rps.toFixed(0)} req/s  p99 ${result.p99_ms} ms  errors ${result.errors + result.non2xx}\n`,
      );
    }
  }
} finally {
  await Promise.all(servers.map(([, s]) => s.stop()));
}

const summary = Object.fromEntries(
  Object.entries(runs).map(([name, rs]) => [
    name,
    {
      rps_median: Math.round(median(rs.map((r) => r.rps))),
      p50_ms_median: median(rs.map((r) => r.p50_ms)),
      p99_ms_median: median(rs.map((r) => r.p99_ms)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      runs: rs.map((r) => Math.round(r.rps)),
    },
  ]),
) as unknown as Record<Variant, { rps_median: number; p99_ms_median: number }>;
const base = summary['in-process'].rps_median;
const result = {
  benchmark: 'sandbox',
  date: new Date().toISOString(),
  machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
  setup: {
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    quick,
    order: 'interleaved A B C per round',
  },
  target: 'sandboxes cost at most 10% of warm invoke throughput vs in-process (ratio >= 0.90)',
  summary,
  ratios: {
    sandboxes_vs_in_process: Number((summary.sandboxes.rps_median / base).toFixed(3)),
    sandboxes_async_vs_in_process: Number(
      (summary['sandboxes-async'].rps_median / base).toFixed(3),
    ),
  },
};
const out = fileURLToPath(
  new URL(`../results/sandbox${quick ? '.quick' : ''}.json`, import.meta.url),
);
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result.ratios)}\nwrote ${out}\n`);
