// bench/warm (issue 7, scenarios 1–2): warm invoke of a hello function on one mini-lambda
// instance, against a bare Hono route doing the same work in the host and against
// Cloudflare's workerd serving it as a fetch handler, in one run, interleaved
// (A B C per round). `--quick` for a short smoke run. Writes bench/results/warm.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../packages/server/test/server-process.ts';
import { freePort } from '../../packages/store/test/postgres-server.ts';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { startWorkerd } from '../baselines/workerd.ts';
import { type LoadResult, load, median } from '../load.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 1 : 5;
const CONNECTIONS = 32;
const EVENT = '{"name":"bench"}';
const HELLO = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);

const miniLambda = await startServerProcess({});
await miniLambda.deploy('hello', HELLO, '?max_concurrency=64');
const hono = await startBareHono();
const workerd = await startWorkerd(await freePort());
const targets = {
  'mini-lambda': `${miniLambda.url}/functions/hello/invoke`,
  'bare-hono': `${hono.url}/functions/hello/invoke`,
  workerd: `${workerd.url}/functions/hello/invoke`,
} as const;
type Target = keyof typeof targets;

const runs: Record<Target, LoadResult[]> = { 'mini-lambda': [], 'bare-hono': [], workerd: [] };
try {
  for (const url of Object.values(targets)) await load(url, EVENT, CONNECTIONS, 1); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(targets) as [Target, string][]) {
      const result = await load(url, EVENT, CONNECTIONS, SECONDS);
      runs[name].push(result);
      process.stdout.write(
        `round ${round + 1} ${name.padEnd(12)} ${result.rps.toFixed(0)} req/s  p50 ${result.p50_ms} ms  p99 ${result.p99_ms} ms  errors ${result.errors + result.non2xx}\n`,
      );
    }
  }
} finally {
  await Promise.all([miniLambda.stop(), hono.stop(), workerd.stop()]);
}

const summarize = (rs: LoadResult[]) => ({
  rps_median: Math.round(median(rs.map((r) => r.rps))),
  p50_ms_median: median(rs.map((r) => r.p50_ms)),
  p99_ms_median: median(rs.map((r) => r.p99_ms)),
  errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
  runs: rs.map((r) => Math.round(r.rps)),
});
const summary = {
  'mini-lambda': summarize(runs['mini-lambda']),
  'bare-hono': summarize(runs['bare-hono']),
  workerd: summarize(runs.workerd),
};
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
const result = {
  benchmark: 'warm',
  date: new Date().toISOString(),
  machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
  setup: {
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    quick,
    order: 'interleaved per round',
  },
  targets: {
    rps_vs_bare_hono: '>= 0.8',
    rps_vs_workerd: '>= 1.3',
    p99_vs_bare_hono: '<= 2',
  },
  summary,
  ratios: {
    rps_vs_bare_hono: ratio(summary['mini-lambda'].rps_median, summary['bare-hono'].rps_median),
    rps_vs_workerd: ratio(summary['mini-lambda'].rps_median, summary.workerd.rps_median),
    p99_vs_bare_hono: ratio(
      summary['mini-lambda'].p99_ms_median,
      summary['bare-hono'].p99_ms_median,
    ),
  },
};
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
const out = fileURLToPath(new URL(`../results/warm${quick ? '.quick' : ''}.json`, import.meta.url));
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result.ratios)}\nwrote ${out}\n`);
