// bench/async: asynchronous invocations on real PostgreSQL (bench/README.md, "async").
// The loopback cluster (PostgreSQL, s3rver, three instances, nginx) with a trivial function:
//   1. enqueue throughput and latency (202s/s, autocannon, `?async=1`) on instance 1
//      directly and through nginx, interleaved per round, the queue drained before each run
//      (the deliveries of one run would otherwise load the next);
//   2. the floor: a plain INSERT of the same row size into a table of the same database, at
//      the same concurrency, through postgres.js with an instance's pool size (10);
//   3. enqueue latency at one connection (p50/p99 unloaded);
//   4. idle end-to-end delay, one event at a time: accept → function start, read from the
//      event's row (started_at − accepted_at, both the database's clock), and accept →
//      finished as the client sees it (POST sent → row succeeded).
// Run: node --no-node-snapshot bench/async/run.ts [--quick]   (~2 min; --quick ~40 s)
import { freePort } from '@mini-lambda/testkit/free-port';
import { type Cluster, startCluster } from '../../infra/cluster/cluster.ts';
import {
  type Headline,
  isQuick,
  type LoadResult,
  load,
  median,
  ratio,
  writeResult,
} from '../load.ts';
import { connect } from '../server-api.ts';
import { connectSql, type Sql } from './sql.ts';

const quick = isQuick();
const setup = {
  rounds: quick ? 1 : 3,
  seconds: quick ? 1 : 3,
  connections: 16,
  single_connection_seconds: quick ? 1 : 3,
  idle_events: quick ? 20 : 100,
  pool_max: 10, // an instance's postgres.js pool (packages/store/src/open-store.ts)
  max_concurrency: 64,
  order: 'interleaved per round; the queue drained before each enqueue run',
};
const API_KEY = 'bench-async-key-0123456789abcdef';
const EVENT = '{"name":"bench","n":1}';
const FUNCTION = 'export const handler = (event) => event?.n ?? null;';
const TARGETS = { enqueue_direct_1: 0, enqueue_nginx_3: 0, insert_floor: 0 };
type Target = keyof typeof TARGETS;

const started = performance.now();
const progress = (line: string) =>
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Promise<Cluster> | undefined;
let sql: Sql | undefined;
let stopping: Promise<void> | undefined;
function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    await sql?.end({ timeout: 1 }).catch(() => {});
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

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Waits (bounded) until no event of the benchmark is queued or running. */
async function drain(db: Sql): Promise<number> {
  const end = performance.now() + 120_000;
  for (;;) {
    const [row] = await db.unsafe(
      `SELECT count(*)::int AS n FROM async_events WHERE state IN ('queued', 'running')`,
    );
    const left = Number(row?.n ?? 0);
    if (left === 0 || performance.now() > end) return left;
    await sleep(200);
  }
}

/** `connections` workers INSERTing rows like an event's for `seconds`: the floor. */
async function insertFloor(db: Sql, connections: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await db.unsafe(
            'INSERT INTO bench_insert (id, function_name, payload) VALUES ($1, $2, $3)',
            [crypto.randomUUID(), 'noop', EVENT],
          );
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    rps: Math.round(latencies.length / seconds),
    p50_ms: round2(percentile(latencies, 50)),
    p99_ms: round2(percentile(latencies, 99)),
    requests: latencies.length,
    errors,
    non2xx: 0,
  };
}

/** One event at a time on an idle cluster: accept → start (database) and → finished (client). */
async function idleDelay(db: Sql, url: string, events: number) {
  const startMs: number[] = [];
  const doneMs: number[] = [];
  let lost = 0;
  for (let i = 0; i < events; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', body: EVENT });
    const { invocation_id: id } = (await res.json()) as { invocation_id: string };
    let row: Record<string, unknown> | undefined;
    const end = performance.now() + 10_000;
    while (performance.now() < end) {
      [row] = await db.unsafe(
        `SELECT state, extract(epoch FROM started_at - accepted_at) * 1000 AS delay_ms
           FROM async_events WHERE id = $1`,
        [id],
      );
      if (row?.state === 'succeeded') break;
      await sleep(1);
    }
    if (row?.state !== 'succeeded') {
      lost++;
      continue;
    }
    doneMs.push(performance.now() - t0);
    startMs.push(Number(row.delay_ms));
    await sleep(50); // idle between events: each one alone
  }
  return {
    events,
    not_finished_in_10s: lost,
    accept_to_start_p50_ms: round2(percentile(startMs, 50)),
    accept_to_start_p99_ms: round2(percentile(startMs, 99)),
    client_post_to_succeeded_p50_ms: round2(percentile(doneMs, 50)),
    client_post_to_succeeded_p99_ms: round2(percentile(doneMs, 99)),
  };
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
  const deployer = connect(lb, 1, API_KEY);
  try {
    await deployer.deploy('noop', FUNCTION, `?max_concurrency=${setup.max_concurrency}`);
  } finally {
    deployer.close();
  }
  const db = connectSql(state.postgres.url, setup.pool_max);
  sql = db;
  await db.unsafe(
    `CREATE TABLE IF NOT EXISTS bench_insert (id uuid PRIMARY KEY, function_name text NOT NULL,
       payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const urls = {
    enqueue_direct_1: `${one.url}/functions/noop/invoke?async=1`,
    enqueue_nginx_3: `${lb}/functions/noop/invoke?async=1`,
  };
  progress(`deployed noop; warming each target for 1 s`);
  for (const url of Object.values(urls)) await load(url, EVENT, setup.connections, 1);
  await insertFloor(db, setup.connections, 1);

  const runs = new Map<Target, LoadResult[]>(
    (Object.keys(TARGETS) as Target[]).map((t) => [t, []]),
  );
  let undrained = 0;
  for (let round = 1; round <= setup.rounds; round++) {
    for (const target of Object.keys(TARGETS) as Target[]) {
      undrained = Math.max(undrained, await drain(db));
      const r =
        target === 'insert_floor'
          ? await insertFloor(db, setup.connections, setup.seconds)
          : await load(urls[target], EVENT, setup.connections, setup.seconds);
      runs.get(target)?.push(r);
      progress(
        `round ${round} ${target.padEnd(17)} ${r.rps.toFixed(0)}/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors + r.non2xx}`,
      );
    }
  }
  const summary = Object.fromEntries(
    [...runs].map(([t, rs]) => [
      t,
      {
        rps_median: Math.round(median(rs.map((r) => r.rps))),
        p50_ms_median: median(rs.map((r) => r.p50_ms)),
        p99_ms_median: median(rs.map((r) => r.p99_ms)),
        errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
        runs: rs.map((r) => Math.round(r.rps)),
      },
    ]),
  ) as Record<
    Target,
    {
      rps_median: number;
      p50_ms_median: number;
      p99_ms_median: number;
      errors: number;
      runs: number[];
    }
  >;

  await drain(db);
  progress(`enqueue at 1 connection for ${setup.single_connection_seconds} s (instance 1)`);
  const single = await load(urls.enqueue_direct_1, EVENT, 1, setup.single_connection_seconds);
  await drain(db);
  const singleInsert = await insertFloor(db, 1, setup.single_connection_seconds);
  progress(
    `enqueue at 1 connection: p50 ${single.p50_ms} ms p99 ${single.p99_ms} ms; INSERT p50 ${singleInsert.p50_ms} ms`,
  );

  await drain(db);
  progress(`idle end-to-end: ${setup.idle_events} events one at a time, instance 1 then nginx`);
  const idleDirect = await idleDelay(db, urls.enqueue_direct_1, setup.idle_events);
  const idleNginx = await idleDelay(db, urls.enqueue_nginx_3, setup.idle_events);
  progress(
    `idle accept → start p50 ${idleDirect.accept_to_start_p50_ms} ms p99 ${idleDirect.accept_to_start_p99_ms} ms (direct)`,
  );

  const { enqueue_direct_1: d, enqueue_nginx_3: n, insert_floor: f } = summary;
  const ratios = {
    enqueue_direct_vs_insert: ratio(d.rps_median, f.rps_median),
    enqueue_nginx_vs_insert: ratio(n.rps_median, f.rps_median),
  };
  const errors =
    d.errors +
    n.errors +
    single.errors +
    single.non2xx +
    idleDirect.not_finished_in_10s +
    idleNginx.not_finished_in_10s;
  const headline: Headline[] = [
    { what: 'enqueue, instance 1 directly (16 connections)', value: d.rps_median, unit: '202/s' },
    { what: 'enqueue through nginx → 3 instances', value: n.rps_median, unit: '202/s' },
    {
      what: 'plain INSERT, same database, 16 at once (floor)',
      value: f.rps_median,
      unit: 'rows/s',
    },
    {
      what: 'enqueue / INSERT: direct · nginx',
      value: `${ratios.enqueue_direct_vs_insert} · ${ratios.enqueue_nginx_vs_insert}`,
    },
    {
      what: 'enqueue p50 / p99 under load (direct)',
      value: `${d.p50_ms_median} / ${d.p99_ms_median}`,
      unit: 'ms',
    },
    {
      what: 'enqueue p50 at 1 connection (p99)',
      value: `${single.p50_ms} (${single.p99_ms})`,
      unit: 'ms',
      target: '≤ 5 ms',
      met: single.p50_ms <= 5,
    },
    {
      what: 'idle accept → start p50 (p99), direct',
      value: `${idleDirect.accept_to_start_p50_ms} (${idleDirect.accept_to_start_p99_ms})`,
      unit: 'ms',
      target: '≤ 50 ms',
      met: idleDirect.accept_to_start_p50_ms <= 50,
    },
    {
      what: 'idle accept → start p50 (p99), nginx',
      value: `${idleNginx.accept_to_start_p50_ms} (${idleNginx.accept_to_start_p99_ms})`,
      unit: 'ms',
    },
    {
      what: 'idle POST → succeeded as the client sees it p50, direct · nginx',
      value: `${idleDirect.client_post_to_succeeded_p50_ms} · ${idleNginx.client_post_to_succeeded_p50_ms}`,
      unit: 'ms',
    },
    { what: 'failed or non-2xx requests, events not finished', value: errors },
  ];
  return writeResult('async', quick, {
    setup: { ...setup, quick },
    targets: { enqueue_p50_ms: 5, idle_accept_to_start_p50_ms: 50 },
    headline,
    errors,
    note:
      'On 2 cores the three instances, their sandboxes, PostgreSQL, nginx and the load ' +
      'generator share the machine, and events accepted in a run are delivered during it. ' +
      'The INSERT floor has no HTTP in it: the ratio is what the whole accept path costs ' +
      'over the one statement it must commit.',
    summary,
    ratios,
    single_connection: { enqueue: single, insert: singleInsert },
    idle: { direct: idleDirect, nginx: idleNginx },
    queue_left_undrained_before_a_run: undrained,
  });
}

try {
  const out = await run();
  progress('stopping the cluster');
  await stopEverything();
  progress(`done; wrote ${out}`);
} catch (err) {
  process.stderr.write(`bench/async failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await stopEverything();
}
