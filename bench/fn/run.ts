// bench/fn: a fetch-style hello served as an HTTP trigger (GET /fn/hello) against the same
// module in workerd, in one run, interleaved per round; the event-style hello invoked on
// the same server (POST /functions/hello-event/invoke, the warm scenario's path) shows
// what the trigger path costs beside invoke. Each run also measures the CPU time per
// request of every process involved.
// Run: node --no-node-snapshot bench/fn/run.ts [--quick]. Writes bench/results/fn.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startWorkerd } from '../baselines/workerd.ts';
import { type Headline, interleaved, isQuick, ratio, type Summary, writeResult } from '../load.ts';
import { childrenOf } from '../proc-cpu.ts';

const quick = isQuick();
const setup = { rounds: quick ? 1 : 3, seconds: quick ? 1 : 4, connections: 32 };
const BODY = JSON.stringify({ hello: 'world' });
/** One module for both: mini-lambda deploys it, workerd serves it. */
const HELLO_FETCH = `export default {
  fetch(request) {
    return new Response(JSON.stringify({ hello: 'world' }), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
`;
const HELLO_EVENT = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);
type Target = 'mini-lambda-fn' | 'workerd' | 'mini-lambda-invoke';

const server = await startServerProcess({});
const started: { stop(): Promise<unknown> }[] = [server];
let summary: Record<Target, Summary>;
try {
  const workerd = await startWorkerd(await freePort(), { worker: HELLO_FETCH });
  started.push(workerd);
  await server.deploy('hello', HELLO_FETCH, '?max_concurrency=64');
  await server.deploy('hello-event', HELLO_EVENT, '?max_concurrency=64');
  const urls = { fn: `${server.url}/fn/hello`, workerd: `${workerd.url}/fn/hello` };
  for (const [name, url] of Object.entries(urls)) {
    const answer = await fetch(url);
    const text = await answer.text();
    if (answer.status !== 200 || text !== BODY)
      throw new Error(`${name}: ${answer.status} ${text}`);
  }
  const serverPid = server.child.pid ?? 0;
  const instance = () => ({ server: [serverPid], sandboxes: childrenOf(serverPid) });
  summary = await interleaved<Target>(
    {
      'mini-lambda-fn': { url: urls.fn, method: 'GET' },
      workerd: { url: urls.workerd, method: 'GET' },
      'mini-lambda-invoke': {
        url: `${server.url}/functions/hello-event/invoke`,
        body: '{"name":"world"}',
      },
    },
    '',
    setup,
    {
      'mini-lambda-fn': instance,
      workerd: () => ({ server: [workerd.pid] }),
      'mini-lambda-invoke': instance,
    },
  );
} finally {
  await Promise.all(started.map((s) => s.stop()));
}

const fn = summary['mini-lambda-fn'];
const ratios = {
  rps_vs_workerd: ratio(fn.rps_median, summary.workerd.rps_median),
  p99_vs_workerd: ratio(fn.p99_ms_median, summary.workerd.p99_ms_median),
  rps_vs_invoke: ratio(fn.rps_median, summary['mini-lambda-invoke'].rps_median),
};
const cpu = (t: Target) =>
  Object.entries(summary[t].cpu_us_per_request ?? {})
    .map(([label, us]) => `${label} ${us}`)
    .join(', ');
const headline: Headline[] = [
  { what: 'mini-lambda, GET /fn/hello (fetch style)', value: fn.rps_median, unit: 'req/s' },
  { what: 'workerd, same module', value: summary.workerd.rps_median, unit: 'req/s' },
  {
    what: 'mini-lambda, invoke of the event-style hello',
    value: summary['mini-lambda-invoke'].rps_median,
    unit: 'req/s',
  },
  { what: 'p99 mini-lambda /fn', value: fn.p99_ms_median, unit: 'ms' },
  { what: 'p99 workerd', value: summary.workerd.p99_ms_median, unit: 'ms' },
  { what: '/fn / workerd (req/s)', value: ratios.rps_vs_workerd },
  { what: 'p99 /fn / workerd', value: ratios.p99_vs_workerd },
  { what: '/fn / invoke (req/s)', value: ratios.rps_vs_invoke },
  { what: 'CPU µs per request, /fn', value: cpu('mini-lambda-fn') },
  { what: 'CPU µs per request, invoke', value: cpu('mini-lambda-invoke') },
  { what: 'CPU µs per request, workerd', value: cpu('workerd') },
];
const out = writeResult('fn', quick, {
  setup: { ...setup, quick, order: 'interleaved per round' },
  headline,
  errors: Object.values<Summary>(summary).reduce((n, s) => n + s.errors, 0),
  summary,
  ratios,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
