// bench/io: an I/O-bound function. A loopback upstream (its own process) answers after
// 50 ms; a fetch-style function fetches it and returns its JSON. Served by mini-lambda as an
// HTTP trigger (GET /fn/io, sandboxes on, EGRESS_ALLOW=127.0.0.1:<upstream port>,
// max_concurrency 64, memory_mb 32 so 64 isolates fit), by workerd (the same module, its
// global fetch allowed to reach 127.0.0.1) and by a bare Hono app doing the same fetch in
// the host, at 64 connections, interleaved per round. The ideal is 64 / 50 ms = 1,280 req/s:
// with one call per isolate, what mini-lambda can reach is bounded by max_concurrency, and
// only a runtime that holds no execution slot while a call waits gets near it.
// Run: node --no-node-snapshot bench/io/run.ts [--quick]. Writes bench/results/io.json.
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { startWorkerd } from '../baselines/workerd.ts';
import { type Headline, interleaved, isQuick, ratio, type Summary, writeResult } from '../load.ts';
import { childrenOf } from '../proc-cpu.ts';
import { ioWorker, UPSTREAM_BODY, UPSTREAM_PATH } from './worker.ts';

const quick = isQuick();
const DELAY_MS = 50;
const CONNECTIONS = 64;
const setup = {
  rounds: quick ? 1 : 3,
  seconds: quick ? 1 : 5,
  connections: CONNECTIONS,
  upstream_delay_ms: DELAY_MS,
  max_concurrency: CONNECTIONS,
  memory_mb: 32,
};
/** Every connection always waiting on the upstream and nothing else. */
const IDEAL_RPS = Math.round(CONNECTIONS / (DELAY_MS / 1000));
type Target = 'mini-lambda' | 'workerd' | 'bare-hono';

const upstream = await startBareHono(fileURLToPath(new URL('./upstream.ts', import.meta.url)), [
  String(DELAY_MS),
]);
const upstreamUrl = `${upstream.url}${UPSTREAM_PATH}`;
const upstreamHost = new URL(upstream.url).host; // 127.0.0.1:<port>
const started: { stop(): Promise<unknown> }[] = [upstream];
let summary: Record<Target, Summary>;
/** The function's pools after the load: one per sandbox process that ran it. */
let pools: { function: string; size: number; throttles: number }[] = [];
try {
  const server = await startServerProcess({ EGRESS_ALLOW: upstreamHost });
  started.push(server);
  const workerd = await startWorkerd(await freePort(), {
    worker: ioWorker(upstreamUrl),
    allow: ['public', '127.0.0.1/32'],
  });
  started.push(workerd);
  const bare = await startBareHono(fileURLToPath(new URL('./bare-hono-io.ts', import.meta.url)), [
    upstreamUrl,
  ]);
  started.push(bare);
  await server.deploy(
    'io',
    ioWorker(upstreamUrl),
    `?max_concurrency=${setup.max_concurrency}&memory_mb=${setup.memory_mb}`,
  );
  const urls: Record<Target, string> = {
    'mini-lambda': `${server.url}/fn/io`,
    workerd: `${workerd.url}/fn/io`,
    'bare-hono': `${bare.url}/fn/io`,
  };
  // Each must answer the upstream's JSON; then 64 at once a few times, so mini-lambda's 64
  // isolates are started before any measured second (the runner's 1 s warm-up follows).
  for (const [name, url] of Object.entries(urls)) {
    for (let burst = 0; burst < 3; burst++) {
      const answers = await Promise.all(
        Array.from({ length: CONNECTIONS }, () =>
          fetch(url).then(async (r) => [r.status, await r.text()]),
        ),
      );
      const wrong = answers.find(([status, body]) => status !== 200 || body !== UPSTREAM_BODY);
      if (wrong) throw new Error(`${name} answered ${wrong[0]} ${String(wrong[1]).slice(0, 300)}`);
    }
  }
  const serverPid = server.child.pid ?? 0;
  summary = await interleaved<Target>(
    {
      'mini-lambda': { url: urls['mini-lambda'], method: 'GET' },
      workerd: { url: urls.workerd, method: 'GET' },
      'bare-hono': { url: urls['bare-hono'], method: 'GET' },
    },
    '',
    setup,
    {
      'mini-lambda': () => ({ server: [serverPid], sandboxes: childrenOf(serverPid) }),
      workerd: () => ({ server: [workerd.pid] }),
      'bare-hono': () => ({ server: [bare.pid] }),
    },
  );
  // How many isolates served it and whether any call waited or was refused.
  const stats = (await (await fetch(`${server.url}/stats/pools`)).json()) as {
    pools: typeof pools;
  };
  pools = stats.pools.filter((p) => p.function === 'io');
} finally {
  await Promise.all(started.map((s) => s.stop()));
}

const ml = summary['mini-lambda'];
const ratios = {
  rps_vs_ideal: ratio(ml.rps_median, IDEAL_RPS),
  rps_vs_workerd: ratio(ml.rps_median, summary.workerd.rps_median),
  rps_vs_bare_hono: ratio(ml.rps_median, summary['bare-hono'].rps_median),
  p99_vs_workerd: ratio(ml.p99_ms_median, summary.workerd.p99_ms_median),
  workerd_rps_vs_ideal: ratio(summary.workerd.rps_median, IDEAL_RPS),
};
const latency = (t: Target) => `${summary[t].p50_ms_median} / ${summary[t].p99_ms_median}`;
const cpu = (t: Target) =>
  Object.entries(summary[t].cpu_us_per_request ?? {})
    .map(([label, us]) => `${label} ${us}`)
    .join(', ');
const headline: Headline[] = [
  {
    what: `ideal: ${CONNECTIONS} connections / ${DELAY_MS} ms upstream`,
    value: IDEAL_RPS,
    unit: 'req/s',
  },
  { what: 'mini-lambda, GET /fn/io', value: ml.rps_median, unit: 'req/s' },
  { what: 'workerd, same module', value: summary.workerd.rps_median, unit: 'req/s' },
  {
    what: 'bare Hono, same fetch in the host',
    value: summary['bare-hono'].rps_median,
    unit: 'req/s',
  },
  { what: 'latency p50 / p99, mini-lambda', value: latency('mini-lambda'), unit: 'ms' },
  { what: 'latency p50 / p99, workerd', value: latency('workerd'), unit: 'ms' },
  { what: 'latency p50 / p99, bare Hono', value: latency('bare-hono'), unit: 'ms' },
  { what: 'mini-lambda / ideal (req/s)', value: ratios.rps_vs_ideal },
  { what: 'mini-lambda / workerd (req/s)', value: ratios.rps_vs_workerd },
  { what: 'workerd / ideal (req/s)', value: ratios.workerd_rps_vs_ideal },
  { what: 'p99 mini-lambda / workerd', value: ratios.p99_vs_workerd },
  {
    what: 'mini-lambda isolates after the load (sandboxes), throttles',
    value: `${pools.reduce((n, p) => n + p.size, 0)} (${pools.map((p) => p.size).join(' + ')}), ${pools.reduce((n, p) => n + p.throttles, 0)}`,
  },
  { what: 'CPU µs per request, mini-lambda', value: cpu('mini-lambda') },
  { what: 'CPU µs per request, workerd', value: cpu('workerd') },
];
const out = writeResult('io', quick, {
  setup: { ...setup, quick, order: 'interleaved per round', ideal_rps: IDEAL_RPS },
  headline,
  errors: Object.values<Summary>(summary).reduce((n, s) => n + s.errors, 0),
  summary,
  ratios,
  mini_lambda_pools: pools,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
