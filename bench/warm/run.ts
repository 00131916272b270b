// bench/warm (issue 7, scenarios 1–2): warm invoke of a hello function on one mini-lambda
// instance, against a bare Hono route doing the same work in the host and against
// Cloudflare's workerd serving it as a fetch handler, in one run, interleaved
// (A B C per round). `--quick` for a short smoke run. Writes bench/results/warm.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../packages/server/test/server-process.ts';
import { freePort } from '../../packages/store/test/postgres-server.ts';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { startWorkerd } from '../baselines/workerd.ts';
import { interleaved, ratio, type Summary, writeResult } from '../load.ts';

const quick = process.argv.includes('--quick');
const setup = { rounds: quick ? 1 : 5, seconds: quick ? 1 : 5, connections: 32 };
const EVENT = '{"name":"bench"}';
const HELLO = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);

const miniLambda = await startServerProcess({});
await miniLambda.deploy('hello', HELLO, '?max_concurrency=64');
const hono = await startBareHono();
const workerd = await startWorkerd(await freePort());

let summary: Record<'mini-lambda' | 'bare-hono' | 'workerd', Summary>;
try {
  summary = await interleaved(
    {
      'mini-lambda': `${miniLambda.url}/functions/hello/invoke`,
      'bare-hono': `${hono.url}/functions/hello/invoke`,
      workerd: `${workerd.url}/functions/hello/invoke`,
    },
    EVENT,
    setup,
  );
} finally {
  await Promise.all([miniLambda.stop(), hono.stop(), workerd.stop()]);
}

const ml = summary['mini-lambda'];
const ratios = {
  rps_vs_bare_hono: ratio(ml.rps_median, summary['bare-hono'].rps_median),
  rps_vs_workerd: ratio(ml.rps_median, summary.workerd.rps_median),
  p99_vs_bare_hono: ratio(ml.p99_ms_median, summary['bare-hono'].p99_ms_median),
};
const out = writeResult('warm', quick, {
  setup: { ...setup, quick, order: 'interleaved per round' },
  targets: { rps_vs_bare_hono: '>= 0.8', rps_vs_workerd: '>= 1.3', p99_vs_bare_hono: '<= 2' },
  summary,
  ratios,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
