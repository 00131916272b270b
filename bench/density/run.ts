// bench/density (scenario 6): many functions on one instance. (a) Deploy N distinct tiny
// functions (1,000; `--quick` 30) and invoke each once; RSS of the server and of its
// sandbox processes before and after, live isolates, deploy time. (b) RSS per idle warm
// isolate. (c) A hot function's throughput on that server vs a second server holding only
// the hot function, interleaved. A benchmark, not a test.
// Run: `node --no-node-snapshot bench/density/run.ts [--quick] [--functions=N]`; writes
// bench/results/density.json. The default run took 7 min here, 6 of them in the 1,000
// deploys: each build is a fresh child process (≈ 0.5 s of CPU), about 2.7 deploys/s on
// 2 cores however many are in flight. Fresh servers spend ~10 s in PGlite's initdb.
import { totalmem } from 'node:os';
import { type ServerProcess, startServerProcess } from '@mini-lambda/testkit/server-process';
import { type Headline, interleaved, isQuick, ratio, writeResult } from '../load.ts';
import { deployTiny, invokeTiny } from './fleet.ts';
import { type MemorySnapshot, snapshot } from './memory.ts';

const quick = isQuick();
// `--functions=N` to try another count (the default run's 1,000 builds take minutes here).
const given = process.argv.find((a) => a.startsWith('--functions='))?.split('=')[1];
const COUNT = given ? Number(given) : quick ? 30 : 1000;
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 1900) throw new Error('--functions: 1-1900');
const TINY_MEMORY_MB = 16;
const setup = {
  functions: COUNT,
  deploys_in_flight: 8,
  invokes_in_flight: 8,
  load: { rounds: quick ? 1 : 4, seconds: quick ? 1 : 3, connections: 32 },
};
// Both servers alike. The defaults would keep at most 256 isolates (POOL_MAX_ISOLATES),
// and reserve 128 MB per isolate against POOL_MAX_MEMORY_MB (half the RAM): so more
// isolates, tiny functions at 16 MB, and room for 2,000 of them. Builds: 4 at once.
const ENV = {
  POOL_MAX_ISOLATES: '2000',
  POOL_MAX_MEMORY_MB: String(2000 * TINY_MEMORY_MB + 1024),
  BUILD_CONCURRENCY: '4',
  // Deploying 1,000 takes minutes here; the default 5 min would idle out the hot isolate.
  POOL_IDLE_TTL_MS: '3600000',
};
// What the defaults would keep warm here: the isolate cap, and the memory cap (half the
// RAM) over each isolate's reservation (memory_mb, 128 by default).
const defaultMemoryCapMb = Math.floor(totalmem() / 1024 / 1024 / 2);
const DEFAULT_LIMITS = {
  max_isolates: 256,
  max_memory_mb: defaultMemoryCapMb,
  isolates_fitting_at_128_mb: Math.floor(defaultMemoryCapMb / 128),
  isolates_fitting_at_16_mb: Math.floor(defaultMemoryCapMb / 16),
};
const HOT = 'export function handler(event) { return { hello: event?.name ?? "world" }; }';
const EVENT = '{"name":"bench"}';

const t0 = performance.now();
/** A progress line with the seconds since start, for the wall-time budget. */
const say = (line: string) =>
  process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);
const show = (m: MemorySnapshot) =>
  `server ${m.server_mb} MB, ${m.sandbox_count} sandboxes ${m.sandboxes_mb} MB, ${m.isolates} isolates (+${m.spares} spare)`;

const servers: ServerProcess[] = [];
let exitCode = 0;
try {
  say(`starting two servers (${JSON.stringify(ENV)})`);
  const settled = await Promise.allSettled([startServerProcess(ENV), startServerProcess(ENV)]);
  for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value);
  const [crowded, alone] = servers;
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed || !crowded || !alone) throw failed?.reason ?? new Error('a server did not start');
  for (const s of servers) {
    await s.deploy('hot', HOT, '?max_concurrency=8');
    for (let i = 0; i < 20; i++)
      await fetch(`${s.url}/functions/hot/invoke`, { method: 'POST', body: EVENT });
  }
  const pid = crowded.child.pid ?? 0;
  const before = await snapshot(crowded.url, pid);
  say(`before: ${show(before)}`);

  const deployed = await deployTiny(
    crowded.url,
    COUNT,
    setup.deploys_in_flight,
    `?memory_mb=${TINY_MEMORY_MB}`,
    (done) => say(`deployed ${done} of ${COUNT}`),
  );
  const afterDeploy = await snapshot(crowded.url, pid);
  say(`deployed ${COUNT} in ${deployed.seconds} s (${deployed.retried} retried after 429)`);
  say(`after deploy: ${show(afterDeploy)}`);

  const invoked = await invokeTiny(crowded.url, COUNT, setup.invokes_in_flight);
  const warm = await snapshot(crowded.url, pid);
  say(`invoked each once in ${invoked.seconds} s; ${show(warm)}`);

  const summary = await interleaved(
    {
      [`with-${COUNT}`]: `${crowded.url}/functions/hot/invoke`,
      alone: `${alone.url}/functions/hot/invoke`,
    },
    EVENT,
    setup.load,
  );
  const afterLoad = await snapshot(crowded.url, pid);
  const aloneMemory = await snapshot(alone.url, alone.child.pid ?? 0);
  say(`after the load: ${show(afterLoad)}; the other: ${show(aloneMemory)}`);

  const crowdedRps = summary[`with-${COUNT}`]?.rps_median ?? Number.NaN;
  const aloneRps = summary.alone?.rps_median ?? Number.NaN;
  const newIsolates = Math.max(1, warm.isolates - before.isolates);
  const perIsolateMb = Number(((warm.sandboxes_mb - before.sandboxes_mb) / newIsolates).toFixed(2));
  const totalBefore = before.server_mb + before.sandboxes_mb;
  const totalWarm = warm.server_mb + warm.sandboxes_mb;
  const perFunctionMb = Number(((totalWarm - totalBefore) / COUNT).toFixed(2));
  const throughputRatio = ratio(crowdedRps, aloneRps);
  const headline: Headline[] = [
    {
      what: `deploy ${COUNT} functions (${setup.deploys_in_flight} in flight)`,
      value: deployed.seconds,
      unit: 's',
    },
    { what: 'live isolates after invoking each once', value: `${warm.isolates} of ${COUNT + 1}` },
    {
      what: 'server RSS before → warm',
      value: `${before.server_mb} → ${warm.server_mb}`,
      unit: 'MB',
    },
    {
      what: 'sandboxes RSS before → warm',
      value: `${before.sandboxes_mb} → ${warm.sandboxes_mb}`,
      unit: 'MB',
    },
    { what: 'RSS per function (server + sandboxes)', value: perFunctionMb, unit: 'MB' },
    {
      what: 'RSS per idle warm isolate (sandboxes)',
      value: perIsolateMb,
      unit: 'MB',
      target: '<= 1.5',
      met: perIsolateMb <= 1.5,
    },
    { what: `hot function with ${COUNT} others`, value: crowdedRps, unit: 'req/s' },
    { what: 'hot function alone', value: aloneRps, unit: 'req/s' },
    {
      what: `with ${COUNT} / alone`,
      value: throughputRatio,
      target: '>= 0.95 (noise)',
      met: throughputRatio >= 0.95,
    },
  ];
  const errors =
    deployed.failed + invoked.failed + Object.values(summary).reduce((n, s) => n + s.errors, 0);
  const out = writeResult('density', quick, {
    setup: { ...setup, quick, env: ENV, tiny_memory_mb: TINY_MEMORY_MB, order: 'interleaved' },
    default_limits: DEFAULT_LIMITS,
    targets: { rss_per_idle_isolate_mb: '<= 1.5', hot_with_many_vs_alone: '>= 0.95' },
    headline,
    errors,
    deploy: { ...deployed, per_second: Number((COUNT / deployed.seconds).toFixed(1)) },
    invoke_each_once: invoked,
    memory: { before, after_deploy: afterDeploy, warm, after_load: afterLoad, alone: aloneMemory },
    rss_per_idle_isolate_mb: perIsolateMb,
    rss_per_function_mb: perFunctionMb,
    summary,
    ratios: { hot_with_many_vs_alone: throughputRatio },
  });
  say(`wrote ${out}`);
} catch (err) {
  process.stderr.write(
    `bench-density: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
process.exit(exitCode);
