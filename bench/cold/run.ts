// bench/cold (scenario 3): cold starts over HTTP on one real server process (embedded
// default, sandboxes on). Deploys N tiny functions (each with its own constant, so its own
// bundle), M ~50 KB ones (bench/runtime/fixtures/validator.ts with zod/mini) and R new
// versions of already-warm tiny functions, then times each one's FIRST invoke: end to end
// at the client, and the server's X-Duration-Ms; every first invoke must say
// X-Cold-Start: true. Histograms read around the first invokes of each kind split the mean:
// init (mini_lambda_cold_start_duration_seconds), the rest of X-Duration-Ms, server time
// outside the runtime (mini_lambda_platform_overhead_seconds) and HTTP + client.
// Run: node --no-node-snapshot bench/cold/run.ts [--quick]. Writes bench/results/cold.json.
// A benchmark, not a test: it exits non-zero only when something broke.
import { startServerProcess } from '@mini-lambda/testkit/server-process';
import { type Headline, isQuick, writeResult } from '../load.ts';
import { validatorBundle } from '../runtime/fixtures/validator-bundle.ts';
import { connect, round } from '../server-api.ts';
import { type ColdKind, coldKind, DEPLOY_LANES, MEASURES, type Upload } from './cold-kind.ts';

const quick = isQuick();
// Counts fit the wall-time budgets (30 s, --quick 10 s): every deploy builds in a child
// process of its own (≈ 0.6 s of CPU here) and the server's start takes ≈ 6–15 s, so
// deploys, not cold starts, are what bound N.
const setup = {
  warmup: 2,
  tiny: quick ? 5 : 30,
  bundle50k: quick ? 2 : 10,
  redeploys: quick ? 2 : 10,
};
const TARGET_MS = { tiny: 5, bundle50k: 10 };
const HELLO_EVENT = '{"name":"bench"}';
const ORDER_EVENT = JSON.stringify({
  id: '4b8f5c2e-1d3a-4e6b-9f70-0a1b2c3d4e5f',
  email: 'buyer@example.com',
  placedAt: '2025-01-01T12:00:00Z',
  payment: { kind: 'card', last4: '4242' },
  items: [{ sku: 'a', qty: 1 }],
});

const tiny = (i: number, version = 1, prefix = 'cold-tiny'): Upload => ({
  name: `${prefix}-${i}`,
  source: `export function handler(event) {\n  return { n: ${i}, v: ${version}, hello: event?.name ?? "world" };\n}\n`,
});
// The constant is exported, so esbuild keeps it and each bundle is distinct.
const validator = (bundle: string, i: number): Upload => ({
  name: `cold-50k-${i}`,
  source: `${bundle}\nexport const variant = ${i};\n`,
});

const started = performance.now();
const progress = (line: string) =>
  process.stdout.write(`cold: ${line} (${round((performance.now() - started) / 1000, 1)} s)\n`);
const bundle = await validatorBundle();
const server = await startServerProcess({});
const client = connect(server.url);
const deployer = connect(server.url, DEPLOY_LANES);
let kinds: Record<'tiny' | 'bundle50k' | 'redeploy', ColdKind>;
try {
  // The server's own first-use costs (code paths, SQL) are not a function's cold start.
  progress(`server up; ${setup.warmup} warm-up functions`);
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i);
  const measure = (uploads: Upload[], event: string) => coldKind(client, deployer, uploads, event);
  const warmups = ids(setup.warmup).map((i) => tiny(i, 1, 'warmup'));
  await measure(warmups, HELLO_EVENT);
  progress(`${setup.tiny} tiny functions`);
  const tinies = ids(setup.tiny).map((i) => tiny(i));
  const tinyKind = await measure(tinies, HELLO_EVENT);
  progress(`${setup.bundle50k} ~50 KB functions`);
  const uploads50k = ids(setup.bundle50k).map((i) => validator(bundle, i));
  const kind50k = await measure(uploads50k, ORDER_EVENT);
  // The first R tiny functions are warm now (invoked twice): each gets a version 2.
  progress(`${setup.redeploys} redeploys of warm tiny functions`);
  const versions2 = ids(setup.redeploys).map((i) => tiny(i, 2));
  const redeploy = await measure(versions2, HELLO_EVENT);
  kinds = { tiny: tinyKind, bundle50k: kind50k, redeploy };
  progress('stopping the server');
} finally {
  client.close();
  deployer.close();
  await server.stop();
}
const wallS = round((performance.now() - started) / 1000, 1);

type Kind = keyof typeof kinds;
const LABELS = { tiny: 'tiny', bundle50k: '~50 KB', redeploy: 'tiny after redeploy' };
const row = (kind: Kind, what: string, value: number): Headline => ({
  what: `${LABELS[kind]}: ${what}`,
  value,
  unit: 'ms',
});
const endToEnd = (kind: Kind, target: number): Headline => {
  const value = kinds[kind].first_invoke_client_ms.p50;
  const met = value <= target;
  return { ...row(kind, 'first invoke p50, end to end', value), target: `<= ${target} ms`, met };
};
const xDuration = (kind: Kind) =>
  row(kind, 'first invoke p50, X-Duration-Ms', kinds[kind].first_invoke_x_duration_ms.p50);
const init = (kind: Kind) =>
  row(kind, 'server mean init (cold_start_duration)', kinds[kind].breakdown_mean_ms.init);
const all = Object.values(kinds);
const size = kinds.bundle50k.bundle_bytes_median;
const headline: Headline[] = [
  endToEnd('tiny', TARGET_MS.tiny),
  endToEnd('bundle50k', TARGET_MS.bundle50k),
  endToEnd('redeploy', TARGET_MS.tiny),
  xDuration('tiny'),
  xDuration('bundle50k'),
  xDuration('redeploy'),
  init('tiny'),
  init('bundle50k'),
  { what: '~50 KB: bundle size (201 answer)', value: size, unit: 'bytes' },
  {
    what: 'first invokes without X-Cold-Start: true',
    value: all.reduce((n, k) => n + k.first_invokes_not_cold, 0),
  },
];
const out = writeResult('cold', quick, {
  setup: { ...setup, quick, server: 'embedded default, sandboxes on', wall_s: wallS },
  targets: {
    tiny: `first-invoke p50 end to end <= ${TARGET_MS.tiny} ms (also held for a redeployed tiny function)`,
    bundle50k: `first-invoke p50 end to end <= ${TARGET_MS.bundle50k} ms`,
  },
  headline,
  errors: all.reduce((n, k) => n + k.non_2xx, 0),
  measures: MEASURES,
  kinds,
});
process.stdout.write(`${JSON.stringify(headline.map((h) => [h.what, h.value]))}\n`);
process.stdout.write(`wrote ${out} (${wallS} s)\n`);
