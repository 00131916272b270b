// bench/sandbox: what sandbox processes cost on warm invoke throughput, against isolates
// in the server process, measured in one run: `make bench-sandbox` (`--quick` for a
// short smoke run). Three servers run side by side and are loaded in turn (A B C A B C …);
// medians and ratios go to bench/results/sandbox.json. A benchmark, not a test.
import { availableParallelism } from 'node:os';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { interleaved, isQuick, ratio, type Summary, writeResult } from '../load.ts';

const quick = isQuick();
const setup = { rounds: quick ? 1 : 5, seconds: quick ? 1 : 5, connections: 32 };
const HELLO = 'export function handler(event) { return { hello: event?.name ?? "world" } }';
const EVENT = '{"name":"bench"}';

// Each as the server runs it by default, plus sandboxes with the in-process call mode.
const variants = {
  'in-process': { SANDBOXES: '0' }, // isolates in the server, async calls
  sandboxes: { SANDBOXES: String(availableParallelism()) }, // sync calls in each sandbox
  'sandboxes-async': { SANDBOXES: String(availableParallelism()), POOL_EXECUTION: 'async' },
} as const;

const servers = await Promise.all(
  Object.entries(variants).map(async ([name, env]) => {
    const server = await startServerProcess(env);
    await server.deploy('hello', HELLO, '?max_concurrency=64');
    return [name, server] as const;
  }),
).catch((err: unknown) => {
  process.stderr.write(`bench-sandbox: ${String(err)}\n`);
  process.exit(1);
});

let summary: Record<keyof typeof variants, Summary>;
try {
  const targets = Object.fromEntries(
    servers.map(([name, s]) => [name, `${s.url}/functions/hello/invoke`]),
  );
  summary = await interleaved(targets as Record<keyof typeof variants, string>, EVENT, setup);
} finally {
  await Promise.all(servers.map(([, s]) => s.stop()));
}

const base = summary['in-process'].rps_median;
const ratios = {
  sandboxes_vs_in_process: ratio(summary.sandboxes.rps_median, base),
  sandboxes_async_vs_in_process: ratio(summary['sandboxes-async'].rps_median, base),
};
const out = writeResult('sandbox', quick, {
  setup: { ...setup, quick, order: 'interleaved A B C per round' },
  target: 'sandboxes cost at most 10% of warm invoke throughput vs in-process (ratio >= 0.90)',
  headline: [
    ...Object.entries(summary).map(([name, s]) => ({
      what: `warm invoke, ${name}`,
      value: s.rps_median,
      unit: 'req/s',
    })),
    {
      what: 'sandboxes / in-process (req/s)',
      value: ratios.sandboxes_vs_in_process,
      target: '>= 0.9',
      met: ratios.sandboxes_vs_in_process >= 0.9,
    },
  ],
  errors: Object.values<Summary>(summary).reduce((n, s) => n + s.errors, 0),
  summary,
  ratios,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
