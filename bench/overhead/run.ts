// bench/overhead (scenario 7): platform overhead per invocation, i.e. server time minus the
// time inside the function, for a warm hello function on one real server process
// (embedded default, sandboxes on). Two phases: sequential (one keep-alive connection, a
// node:http loop) and under load (autocannon, 32 connections). Three views of it:
//   - mini_lambda_platform_overhead_seconds, diffed around each phase: the invoke route's
//     time outside the runtime call (body read, record lookup, IPC to the sandbox and back,
//     waiting for an isolate); it starts after Hono routing and middleware and stops before
//     the response is built and written;
//   - client latency minus X-Duration-Ms (the runtime's own duration, measured in the
//     sandbox from getting an isolate to the outcome): everything the caller pays on top;
//   - the same loops against the bare Hono baseline: what HTTP and the client cost alone.
// Run: node --no-node-snapshot bench/overhead/run.ts [--quick]. Writes
// bench/results/overhead.json. A benchmark, not a test: non-zero exit only when it broke.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { type Headline, isQuick, load, ratio, writeResult } from '../load.ts';
import {
  type Client,
  connect,
  type HistogramTotals,
  meanMsBetween,
  percentile,
  round,
} from '../server-api.ts';

const quick = isQuick();
const setup = {
  warmup: quick ? 100 : 300,
  sequential: quick ? 500 : 2_000,
  load_seconds: quick ? 1 : 4,
  connections: 32,
  max_concurrency: 64, // as bench/warm: 32 connections never wait for an isolate slot
};
const EVENT = '{"name":"bench"}';
const HELLO = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);
const OVERHEAD = 'mini_lambda_platform_overhead_seconds';
const DURATION = 'mini_lambda_invocation_duration_seconds'; // observes X-Duration-Ms

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => round(x, 3);
const started = performance.now();
const progress = (line: string) =>
  process.stdout.write(`overhead: ${line} (${round((performance.now() - started) / 1000, 1)} s)\n`);

let errors = 0;

/** Histogram totals of the server, to diff around a phase. */
const serverTotals = (c: Client) => Promise.all([c.histogram(OVERHEAD), c.histogram(DURATION)]);

function serverMeans(before: HistogramTotals[], after: HistogramTotals[]) {
  const [o0, d0, o1, d1] = [before[0], before[1], after[0], after[1]];
  if (!o0 || !d0 || !o1 || !d1) throw new Error('missing histogram totals');
  return {
    platform_overhead_mean_ms: meanMsBetween(o0, o1),
    x_duration_mean_ms: meanMsBetween(d0, d1),
    invocations: o1.count - o0.count,
  };
}

const latencies = (xs: number[]) => ({
  client_p50_ms: ms(percentile(xs, 0.5)),
  client_p99_ms: ms(percentile(xs, 0.99)),
  client_mean_ms: ms(mean(xs)),
});

/** `n` invokes one after another; per request: client latency and X-Duration-Ms. */
async function sequentialInvokes(c: Client, n: number) {
  const client: number[] = [];
  const duration: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await c.invoke('hello', EVENT);
    if (r.status !== 200) errors++;
    client.push(r.clientMs);
    duration.push(r.durationMs);
  }
  const gap = client.map((x, i) => x - (duration[i] ?? Number.NaN));
  return {
    ...latencies(client),
    x_duration_p50_ms: ms(percentile(duration, 0.5)),
    client_minus_x_duration_p50_ms: ms(percentile(gap, 0.5)),
    client_minus_x_duration_mean_ms: ms(mean(gap)),
  };
}

/** The same sequential loop against the bare Hono route: HTTP and the client alone. */
async function sequentialBare(c: Client, n: number) {
  const client: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = await c.post('/functions/hello/invoke', EVENT);
    if (a.status !== 200) errors++;
    client.push(a.ms);
  }
  return latencies(client);
}

async function loaded(url: string) {
  const r = await load(
    `${url}/functions/hello/invoke`,
    EVENT,
    setup.connections,
    setup.load_seconds,
  );
  errors += r.errors + r.non2xx;
  return { rps: Math.round(r.rps), p50_ms: r.p50_ms, p99_ms: r.p99_ms, requests: r.requests };
}

async function phases(server: Client, hono: Client) {
  progress('servers up; deploy hello, warm up');
  await server.deploy('hello', HELLO, `?max_concurrency=${setup.max_concurrency}`);
  await sequentialInvokes(server, setup.warmup);
  await sequentialBare(hono, setup.warmup);

  progress(`sequential: ${setup.sequential} invokes`);
  let before = await serverTotals(server);
  const seq = await sequentialInvokes(server, setup.sequential);
  const seqServer = serverMeans(before, await serverTotals(server));
  progress(`sequential: ${setup.sequential} requests to bare Hono`);
  const seqBare = await sequentialBare(hono, setup.sequential);

  progress(`load: ${setup.connections} connections, ${setup.load_seconds} s`);
  before = await serverTotals(server);
  const underLoad = await loaded(server.url);
  const loadServer = serverMeans(before, await serverTotals(server));
  progress(`load: bare Hono, ${setup.connections} connections, ${setup.load_seconds} s`);
  const loadBare = await loaded(hono.url);
  progress('stopping the servers');
  return {
    sequential: {
      mini_lambda: { ...seq, server: seqServer },
      bare_hono: seqBare,
      // How much of mini-lambda's latency the HTTP round trip alone already costs.
      bare_hono_share_of_p50: ratio(seqBare.client_p50_ms, seq.client_p50_ms),
    },
    under_load: {
      mini_lambda: {
        ...underLoad,
        // autocannon gives no per-request headers: the histogram's mean stands in for them.
        client_p50_minus_mean_x_duration_ms: ms(underLoad.p50_ms - loadServer.x_duration_mean_ms),
        server: loadServer,
      },
      bare_hono: loadBare,
      bare_hono_share_of_p50: ratio(loadBare.p50_ms, underLoad.p50_ms),
    },
  };
}

// Both or neither: whichever started is stopped when the other failed to.
const [serverStart, honoStart] = await Promise.allSettled([
  startServerProcess({}),
  startBareHono(),
]);
const stopAll = () =>
  Promise.all([
    serverStart.status === 'fulfilled' ? serverStart.value.stop() : undefined,
    honoStart.status === 'fulfilled' ? honoStart.value.stop() : undefined,
  ]);
if (serverStart.status === 'rejected' || honoStart.status === 'rejected') {
  await stopAll();
  throw serverStart.status === 'rejected'
    ? serverStart.reason
    : (honoStart as PromiseRejectedResult).reason;
}
const serverClient = connect(serverStart.value.url);
const honoClient = connect(honoStart.value.url);
let result: Awaited<ReturnType<typeof phases>>;
try {
  result = await phases(serverClient, honoClient);
} finally {
  serverClient.close();
  honoClient.close();
  await stopAll();
}
const wallS = round((performance.now() - started) / 1000, 1);

const { sequential: s, under_load: l } = result;
const row = (what: string, value: number): Headline => ({ what, value, unit: 'ms' });
const conns = `${setup.connections} connections`;
const headline: Headline[] = [
  row('sequential: server platform overhead, mean', s.mini_lambda.server.platform_overhead_mean_ms),
  row(
    'sequential: client latency - X-Duration-Ms, p50',
    s.mini_lambda.client_minus_x_duration_p50_ms,
  ),
  row('sequential: X-Duration-Ms (runtime), p50', s.mini_lambda.x_duration_p50_ms),
  row('sequential: client latency p50, mini-lambda', s.mini_lambda.client_p50_ms),
  row('sequential: client latency p50, bare Hono (HTTP floor)', s.bare_hono.client_p50_ms),
  row(`${conns}: server platform overhead, mean`, l.mini_lambda.server.platform_overhead_mean_ms),
  row(
    `${conns}: client p50 - mean X-Duration-Ms`,
    l.mini_lambda.client_p50_minus_mean_x_duration_ms,
  ),
  row(`${conns}: client p50, mini-lambda`, l.mini_lambda.p50_ms),
  row(`${conns}: client p50, bare Hono`, l.bare_hono.p50_ms),
];
const out = writeResult('overhead', quick, {
  setup: { ...setup, quick, server: 'embedded default, sandboxes on', wall_s: wallS },
  targets: {},
  headline,
  errors,
  measures: {
    platform_overhead: `${OVERHEAD}: invoke route time (from the route handler's start to the metrics call) minus the runtime's durationMs; body read, record lookup, IPC to the sandbox and back, isolate wait; not HTTP parsing, middleware, response writing`,
    x_duration: `X-Duration-Ms = ${DURATION}: measured in the sandbox from getting an isolate to the outcome (copy in, the call, copy out)`,
    client_minus_x_duration:
      'everything the caller pays beyond the function: client (node:http), loopback TCP, HTTP in the server, middleware, the platform overhead',
    autocannon_latency: 'p50 and p99 under load come from autocannon, in whole ms',
    bare_hono:
      'the same route doing the same work in the host (bench/baselines/bare-hono.ts), same client loop: HTTP and the client alone',
  },
  phases: result,
});
process.stdout.write(
  `${JSON.stringify(headline.map((h) => [h.what, h.value]))}\nwrote ${out} (${wallS} s)\n`,
);
