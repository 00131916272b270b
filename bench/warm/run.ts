// bench/warm (bench/README.md, scenarios 1–2): warm invoke of a hello function on one mini-lambda
// instance (sandboxes on, as by default, and isolates in the server for comparison),
// against a bare Hono route doing the same work in the host and against Cloudflare's
// workerd serving it as a fetch handler, in one run, interleaved (A B C D per round).
// Each run also measures the CPU time per request of every process involved, which is
// what explains the ratios. `--quick` for a short smoke run. Writes bench/results/warm.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { startWorkerd } from '../baselines/workerd.ts';
import { type Headline, interleaved, isQuick, ratio, type Summary, writeResult } from '../load.ts';
import { childrenOf } from '../proc-cpu.ts';

const quick = isQuick();
const setup = { rounds: quick ? 1 : 3, seconds: quick ? 1 : 4, connections: 32 };
const EVENT = '{"name":"bench"}';
const HELLO = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);
type Target = 'mini-lambda' | 'mini-lambda-in-process' | 'bare-hono' | 'workerd';

const sandboxed = await startServerProcess({});
const inProcess = await startServerProcess({ SANDBOXES: '0' });
const hono = await startBareHono();
const workerd = await startWorkerd(await freePort());

let summary: Record<Target, Summary>;
try {
  for (const server of [sandboxed, inProcess])
    await server.deploy('hello', HELLO, '?max_concurrency=64');
  const serverPid = (s: typeof sandboxed) => s.child.pid ?? 0;
  summary = await interleaved<Target>(
    {
      'mini-lambda': `${sandboxed.url}/functions/hello/invoke`,
      'mini-lambda-in-process': `${inProcess.url}/functions/hello/invoke`,
      'bare-hono': `${hono.url}/functions/hello/invoke`,
      workerd: `${workerd.url}/functions/hello/invoke`,
    },
    EVENT,
    setup,
    {
      'mini-lambda': () => ({
        server: [serverPid(sandboxed)],
        sandboxes: childrenOf(serverPid(sandboxed)),
      }),
      'mini-lambda-in-process': () => ({ server: [serverPid(inProcess)] }),
      'bare-hono': () => ({ server: [hono.pid] }),
      workerd: () => ({ server: [workerd.pid] }),
    },
  );
} finally {
  await Promise.all([sandboxed.stop(), inProcess.stop(), hono.stop(), workerd.stop()]);
}

const ml = summary['mini-lambda'];
const ratios = {
  rps_vs_bare_hono: ratio(ml.rps_median, summary['bare-hono'].rps_median),
  rps_vs_workerd: ratio(ml.rps_median, summary.workerd.rps_median),
  p99_vs_bare_hono: ratio(ml.p99_ms_median, summary['bare-hono'].p99_ms_median),
  in_process_rps_vs_bare_hono: ratio(
    summary['mini-lambda-in-process'].rps_median,
    summary['bare-hono'].rps_median,
  ),
};
const cpu = (t: Target) =>
  Object.entries(summary[t].cpu_us_per_request ?? {})
    .map(([label, us]) => `${label} ${us}`)
    .join(', ');
const headline: Headline[] = [
  { what: 'mini-lambda warm invoke', value: ml.rps_median, unit: 'req/s' },
  {
    what: 'bare Hono, same work in the host',
    value: summary['bare-hono'].rps_median,
    unit: 'req/s',
  },
  { what: 'workerd, same function', value: summary.workerd.rps_median, unit: 'req/s' },
  {
    what: 'mini-lambda / bare Hono (req/s)',
    value: ratios.rps_vs_bare_hono,
    target: '>= 0.8',
    met: ratios.rps_vs_bare_hono >= 0.8,
  },
  {
    what: 'mini-lambda / workerd (req/s)',
    value: ratios.rps_vs_workerd,
    target: '>= 1.3',
    met: ratios.rps_vs_workerd >= 1.3,
  },
  {
    what: 'p99 mini-lambda / bare Hono',
    value: ratios.p99_vs_bare_hono,
    target: '<= 2',
    met: ratios.p99_vs_bare_hono <= 2,
  },
  {
    what: 'isolates in the server (SANDBOXES=0) / bare Hono',
    value: ratios.in_process_rps_vs_bare_hono,
  },
  { what: 'CPU µs per request, mini-lambda', value: cpu('mini-lambda') },
  { what: 'CPU µs per request, bare Hono', value: cpu('bare-hono') },
];
const out = writeResult('warm', quick, {
  setup: { ...setup, quick, order: 'interleaved per round' },
  targets: { rps_vs_bare_hono: '>= 0.8', rps_vs_workerd: '>= 1.3', p99_vs_bare_hono: '<= 2' },
  headline,
  errors: Object.values<Summary>(summary).reduce((n, s) => n + s.errors, 0),
  summary,
  ratios,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
