// bench/node: Node.js compatibility's costs, in one run.
// 1. Warm: a handler doing createHash('sha256') of 1 KB and a Buffer round trip
//    (hash-handler.js), invoked on mini-lambda vs the same module in plain Node (a bare Hono
//    route calling it in the host) and in workerd with nodejs_compat; interleaved per round,
//    with the CPU time per request of every process involved.
// 2. Cold: first invokes of a jsonwebtoken function (HS256 sign + verify; a bundle that
//    pulls node:crypto, buffer, stream and util) beside a tiny one that imports nothing.
// Run: node --no-node-snapshot bench/node/run.ts [--quick]. Writes bench/results/node.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { startBareHono } from '../baselines/bare-hono-process.ts';
import { startWorkerd } from '../baselines/workerd.ts';
import { type ColdKind, coldKind, DEPLOY_LANES } from '../cold/cold-kind.ts';
import { type Headline, interleaved, isQuick, ratio, type Summary, writeResult } from '../load.ts';
import { childrenOf } from '../proc-cpu.ts';
import { connect } from '../server-api.ts';
import { jwtSource } from './jwt-bundle.ts';

const quick = isQuick();
const setup = {
  rounds: quick ? 1 : 3,
  seconds: quick ? 1 : 4,
  connections: 32,
  cold: quick ? 3 : 15,
};
const HANDLER = readFileSync(fileURLToPath(new URL('./hash-handler.js', import.meta.url)), 'utf8');
const WORKER = `${HANDLER}
export default {
  async fetch(request) {
    const text = await request.text();
    const result = await handler(text === '' ? null : JSON.parse(text));
    return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
  },
};
`;
const EVENT = '{"name":"bench"}';
type Target = 'mini-lambda' | 'plain-node' | 'workerd';

const server = await startServerProcess({});
const started: { stop(): Promise<unknown> }[] = [server];
let summary: Record<Target, Summary>;
let cold: { tiny: ColdKind; jwt: ColdKind };
try {
  const [workerd, node] = await Promise.all([
    startWorkerd(await freePort(), { worker: WORKER, flags: ['nodejs_compat'] }),
    startBareHono(fileURLToPath(new URL('./plain-node.ts', import.meta.url))),
  ]);
  started.push(workerd, node);
  await server.deploy('node-hash', HANDLER, '?max_concurrency=64');
  const urls: Record<Target, string> = {
    'mini-lambda': `${server.url}/functions/node-hash/invoke`,
    'plain-node': `${node.url}/functions/node-hash/invoke`,
    workerd: `${workerd.url}/`,
  };
  // All three must compute the same answer before any is timed.
  const answers = await Promise.all(
    Object.values(urls).map(async (url) =>
      (await fetch(url, { method: 'POST', body: EVENT })).text(),
    ),
  );
  if (new Set(answers).size !== 1) throw new Error(`the answers differ: ${answers.join(' | ')}`);

  const serverPid = server.child.pid ?? 0;
  summary = await interleaved<Target>(urls, EVENT, setup, {
    'mini-lambda': () => ({ server: [serverPid], sandboxes: childrenOf(serverPid) }),
    'plain-node': () => ({ server: [node.pid] }),
    workerd: () => ({ server: [workerd.pid] }),
  });

  const client = connect(server.url);
  const deployer = connect(server.url, DEPLOY_LANES);
  try {
    const jwt = await jwtSource();
    const ids = Array.from({ length: setup.cold }, (_, i) => i);
    const tinyUploads = ids.map((i) => ({
      name: `node-cold-tiny-${i}`,
      source: `export function handler(event) {\n  return { n: ${i}, hello: event?.name ?? "world" };\n}\n`,
    }));
    // The exported constant keeps each bundle distinct: no code cache is shared.
    const jwtUploads = ids.map((i) => ({
      name: `node-cold-jwt-${i}`,
      source: `${jwt}\nexport const variant = ${i};\n`,
    }));
    cold = {
      tiny: await coldKind(client, deployer, tinyUploads, EVENT),
      jwt: await coldKind(client, deployer, jwtUploads, EVENT),
    };
  } finally {
    client.close();
    deployer.close();
  }
} finally {
  await Promise.all(started.map((s) => s.stop()));
}

const ml = summary['mini-lambda'];
const ratios = {
  rps_vs_plain_node: ratio(ml.rps_median, summary['plain-node'].rps_median),
  rps_vs_workerd: ratio(ml.rps_median, summary.workerd.rps_median),
  cold_jwt_vs_tiny: ratio(
    cold.jwt.first_invoke_x_duration_ms.p50,
    cold.tiny.first_invoke_x_duration_ms.p50,
  ),
};
const cpu = (t: Target) =>
  Object.entries(summary[t].cpu_us_per_request ?? {})
    .map(([label, us]) => `${label} ${us}`)
    .join(', ');
const headline: Headline[] = [
  { what: 'warm sha256 + Buffer, mini-lambda invoke', value: ml.rps_median, unit: 'req/s' },
  { what: 'plain Node, same handler', value: summary['plain-node'].rps_median, unit: 'req/s' },
  { what: 'workerd nodejs_compat, same handler', value: summary.workerd.rps_median, unit: 'req/s' },
  { what: 'mini-lambda / plain Node (req/s)', value: ratios.rps_vs_plain_node },
  { what: 'mini-lambda / workerd (req/s)', value: ratios.rps_vs_workerd },
  { what: 'CPU µs per request, mini-lambda', value: cpu('mini-lambda') },
  { what: 'CPU µs per request, plain Node', value: cpu('plain-node') },
  { what: 'CPU µs per request, workerd', value: cpu('workerd') },
  {
    what: 'cold tiny (imports nothing): first invoke X-Duration-Ms p50',
    value: cold.tiny.first_invoke_x_duration_ms.p50,
    unit: 'ms',
  },
  {
    what: 'cold jsonwebtoken: first invoke X-Duration-Ms p50',
    value: cold.jwt.first_invoke_x_duration_ms.p50,
    unit: 'ms',
  },
  { what: 'cold jsonwebtoken / tiny', value: ratios.cold_jwt_vs_tiny },
  { what: 'jsonwebtoken bundle', value: cold.jwt.bundle_bytes_median, unit: 'bytes' },
  { what: 'tiny bundle', value: cold.tiny.bundle_bytes_median, unit: 'bytes' },
];
const out = writeResult('node', quick, {
  setup: { ...setup, quick, order: 'interleaved per round' },
  headline,
  errors:
    Object.values<Summary>(summary).reduce((n, s) => n + s.errors, 0) +
    cold.tiny.non_2xx +
    cold.jwt.non_2xx,
  summary,
  cold,
  ratios,
});
process.stdout.write(`${JSON.stringify(ratios)}\nwrote ${out}\n`);
