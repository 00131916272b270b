// bench/cluster (scenario 5 of bench/README.md): the production topology on loopback (real
// PostgreSQL, s3rver, three instance processes, real nginx with the repo's nginx.conf,
// Prometheus) against one of its instances alone. One hello function, deployed through
// nginx and warmed on all three, then loaded interleaved per round (A B C A B C …):
//   A  nginx → 3 instances      (what ships)
//   B  instance 1 directly      (same cluster, same function: the baseline)
//   C  nginx → instance 1 only  (a second nginx, same config: nginx's own cost)
// A/B is the whole difference; C/B separates nginx's hop from spreading over instances
// (A/C). Then each alone for a moment, for what rounds cannot say per target: each
// instance's invocations (its /metrics before and after: the spread) and the CPU time of
// every process per request, which other load on a shared machine moves far less than
// requests/s. On a 2-core machine this shows overhead, not scaling: every instance, its
// sandboxes, nginx and the load generator share the same two cores.
// Run: node --no-node-snapshot bench/cluster/run.ts [--quick]  (≤ 60 s; --quick ≤ 30 s)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mini-lambda/testkit/free-port';
import { type Cluster, startCluster } from '../../infra/cluster/cluster.ts';
import { type Headline, interleaved, isQuick, ratio, writeResult } from '../load.ts';
import { connect } from '../server-api.ts';
import { type Alone, loadAlone } from './alone.ts';
import { invocationsByInstance, spread, warmEvery } from './instances.ts';
import { type SingleNginx, startSingleNginx } from './single-nginx.ts';

const quick = isQuick();
const setup = {
  rounds: quick ? 1 : 3,
  seconds: quick ? 1 : 3,
  connections: 32,
  alone_seconds: quick ? 1 : 2, // whole seconds: autocannon's req/s averages 1 s samples
  instances: 3,
  order: 'interleaved per round, after a 1 s warm-up of each target',
  max_concurrency: 64, // as bench/warm, so one instance here compares with one there
};
const API_KEY = 'bench-cluster-key-0123456789abcdef';
const EVENT = '{"name":"bench"}';
const HELLO = readFileSync(
  fileURLToPath(new URL('../baselines/hello.js', import.meta.url)),
  'utf8',
);
const NOTE =
  'On 2 cores this shows overhead, not scaling: the three instances, their sandboxes, ' +
  'nginx and the load generator all share the same two cores, so three instances cannot ' +
  'serve more than one; what A/B measures is the cost of the nginx hop and of spreading.';

const started = performance.now();
const progress = (line: string) =>
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);

// Kept as promises so that a signal during start-up still finds what to stop.
let cluster: Promise<Cluster> | undefined;
let single: Promise<SingleNginx> | undefined;
let stopping: Promise<void> | undefined;
function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    await (await single?.catch(() => undefined))?.stop();
    await (await cluster?.catch(() => undefined))?.stop();
  })();
  return stopping;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    progress(`${signal}: stopping every process this run started`);
    void stopEverything().finally(() => process.exit(code));
  });
}

async function run(): Promise<string> {
  progress('starting the cluster (PostgreSQL, s3rver, 3 instances, nginx, Prometheus)');
  cluster = startCluster({
    nginxPort: await freePort(),
    prometheusPort: await freePort(),
    apiKey: API_KEY,
  });
  const { state } = await cluster;
  const lb = state.nginx.url;
  const one = state.instances[0];
  if (!one) throw new Error('the cluster has no instance 1');
  progress(`cluster up: nginx ${lb}, instances ${state.instances.map((i) => i.url).join(' ')}`);

  const deployer = connect(lb, 1, API_KEY);
  try {
    await deployer.deploy('hello', HELLO, `?max_concurrency=${setup.max_concurrency}`);
  } finally {
    deployer.close();
  }
  const ids = state.instances.map((i) => i.id);
  const warmCalls = await warmEvery(lb, 'hello', EVENT, ids);
  progress(
    `deployed hello through nginx; all ${ids.length} instances answered in ${warmCalls} invokes`,
  );

  single = startSingleNginx(one.url.replace('http://', ''), await freePort());
  const c = await single;
  progress(`second nginx ${c.url} → instance 1 only`);

  const targets = {
    A_nginx_to_3: `${lb}/functions/hello/invoke`,
    B_direct_1: `${one.url}/functions/hello/invoke`,
    C_nginx_to_1: `${c.url}/functions/hello/invoke`,
  };
  progress(
    `loading A B C, ${setup.rounds} × ${setup.seconds} s each, ${setup.connections} connections`,
  );
  const beforeAll = await invocationsByInstance(state.instances, 'hello');
  const summary = await interleaved(targets, EVENT, setup);

  const alone: Partial<Record<keyof typeof targets, Alone>> = {};
  for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
    progress(
      `${name} alone for ${setup.alone_seconds} s: invocations per instance, CPU per request`,
    );
    const options = { connections: setup.connections, seconds: setup.alone_seconds };
    const nginxes = { nginx: state.nginx.pid, nginx_single: c.pid };
    alone[name] = await loadAlone(url, EVENT, options, state.instances, nginxes);
  }
  const after = await invocationsByInstance(state.instances, 'hello');
  const { A_nginx_to_3: aAlone, B_direct_1: bAlone, C_nginx_to_1: cAlone } = alone;
  if (!aAlone || !bAlone || !cAlone) throw new Error('a target was not loaded alone');

  const { A_nginx_to_3: a, B_direct_1: b, C_nginx_to_1: cc } = summary;
  const ratios = {
    rps_A_vs_B: ratio(a.rps_median, b.rps_median),
    rps_C_vs_B: ratio(cc.rps_median, b.rps_median),
    rps_A_vs_C: ratio(a.rps_median, cc.rps_median),
    p99_A_vs_B: ratio(a.p99_ms_median, b.p99_ms_median),
    p99_C_vs_B: ratio(cc.p99_ms_median, b.p99_ms_median),
  };
  const errors = [a, b, cc, aAlone, bAlone, cAlone].reduce((n, t) => n + t.errors, 0);
  const cpu = (t: Alone, part: string) => t.cpu_us_per_request[part] ?? Number.NaN;
  const latency = (s: typeof a) => `${s.p50_ms_median} / ${s.p99_ms_median}`;
  const shares = Object.entries(aAlone.share)
    .map(([id, s]) => `${id}: ${(s * 100).toFixed(0)}%`)
    .join(' · ');
  const headline: Headline[] = [
    {
      what: 'on 2 cores this shows',
      value: 'overhead, not scaling (3 instances, sandboxes, nginx, load generator share 2 cores)',
    },
    { what: 'A nginx → 3 instances', value: a.rps_median, unit: 'req/s' },
    { what: 'B one instance directly', value: b.rps_median, unit: 'req/s' },
    { what: 'C nginx → that one instance', value: cc.rps_median, unit: 'req/s' },
    { what: 'A / B requests/s', value: ratios.rps_A_vs_B },
    { what: 'C / B requests/s (nginx hop alone)', value: ratios.rps_C_vs_B },
    {
      what: 'p50 / p99 A · B · C',
      value: `${latency(a)} · ${latency(b)} · ${latency(cc)}`,
      unit: 'ms',
    },
    { what: 'A / C requests/s (spreading over 3 on the same cores)', value: ratios.rps_A_vs_C },
    { what: 'spread of A over instances', value: shares },
    {
      what: 'CPU per request, all processes: A · B · C',
      value: `${cpu(aAlone, 'total')} · ${cpu(bAlone, 'total')} · ${cpu(cAlone, 'total')}`,
      unit: 'µs',
    },
    {
      what: 'of which nginx: A · C',
      value: `${cpu(aAlone, 'nginx')} · ${cpu(cAlone, 'nginx_single')}`,
      unit: 'µs',
    },
    { what: 'failed or non-2xx requests', value: errors },
  ];
  return writeResult('cluster', quick, {
    setup: { ...setup, quick },
    targets: {}, // no target for this scenario: it is read, not held
    headline,
    errors,
    note: NOTE,
    summary,
    ratios,
    alone,
    // Instance 1 also served all of B and C: these totals are not the spread of A.
    invocations_whole_run: spread(beforeAll, after).served,
    warm_up_invokes: warmCalls,
  });
}

try {
  const out = await run();
  progress(`stopping the cluster`);
  await stopEverything();
  progress(`done; wrote ${out}`);
} catch (err) {
  process.stderr.write(`bench/cluster failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await stopEverything();
}
