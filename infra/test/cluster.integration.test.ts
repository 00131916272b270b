import { freePort } from '@mini-lambda/testkit/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../cluster/cluster.ts';

// The production topology on loopback (make cluster-up's harness): real PostgreSQL,
// s3rver, three instance processes, real nginx and real Prometheus.
const KEY = 'cluster-test-key-0123456789';
const auth = { Authorization: `Bearer ${KEY}` };
let cluster: Cluster;
let lb = '';

beforeAll(async () => {
  cluster = await startCluster({
    nginxPort: await freePort(),
    prometheusPort: await freePort(),
    apiKey: KEY,
  });
  lb = cluster.state.nginx.url;
}, 180_000);
afterAll(() => cluster?.stop(), 120_000);

const deploy = (base: string, name: string, source: string) =>
  fetch(`${base}/functions/${name}`, {
    method: 'PUT',
    headers: { ...auth, 'Content-Type': 'application/javascript' },
    body: source,
  });
const invoke = (base: string, name: string, body = '') =>
  fetch(`${base}/functions/${name}/invoke`, { method: 'POST', body });

/** `workers` loops invoking through nginx until `stop()`; counts answers by status. */
function steadyLoad(name: string, workers: number) {
  const statuses = new Map<string, number>();
  const servedBy = new Map<string, number>();
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const res = await invoke(lb, name, '1');
        await res.arrayBuffer();
        statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
        const id = res.headers.get('x-instance-id') ?? '?';
        servedBy.set(id, (servedBy.get(id) ?? 0) + 1);
      } catch {
        statuses.set('network', (statuses.get('network') ?? 0) + 1);
      }
    }
  });
  return {
    statuses,
    servedBy,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    failed: () => [...statuses].filter(([s]) => s !== '200').reduce((n, [, c]) => n + c, 0),
  };
}

describe('through nginx', () => {
  it('reaches all three instances for /health', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++)
      ids.add(
        ((await (await fetch(`${lb}/health`)).json()) as { instance_id: string }).instance_id,
      );
    expect([...ids].sort()).toEqual(['1', '2', '3']);
  });

  it('serves a deploy from every instance, and a redeploy on instance 1 everywhere within 1 s', async () => {
    expect((await deploy(lb, 'spread', 'export const handler = () => "v1"')).status).toBe(201);
    const served = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await invoke(lb, 'spread');
      expect(await res.text()).toBe('"v1"');
      served.add(res.headers.get('x-instance-id') ?? '?');
    }
    expect([...served].sort()).toEqual(['1', '2', '3']);

    const [one, two, three] = cluster.state.instances;
    expect(
      (await deploy(one?.url as string, 'spread', 'export const handler = () => "v2"')).status,
    ).toBe(201);
    const deployedAt = performance.now();
    for (const other of [two, three]) {
      const seen: string[] = [];
      let firstNewAt = 0;
      while (performance.now() - deployedAt < 2000) {
        const body = await (await invoke(other?.url as string, 'spread')).text();
        seen.push(body);
        if (body === '"v2"' && firstNewAt === 0) firstNewAt = performance.now();
        if (firstNewAt && performance.now() - firstNewAt > 200) break;
      }
      expect(firstNewAt - deployedAt).toBeLessThan(1000);
      expect(seen.slice(seen.indexOf('"v2"')).every((b) => b === '"v2"')).toBe(true); // never back
    }
  });

  it('shows the load spread in /stats/pools and in Prometheus for all three instances', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const stats = (await (await fetch(`${lb}/stats/pools`)).json()) as {
        instance_id: string;
        pools: { function: string; invocations: number }[];
      };
      if (stats.pools.some((p) => p.function === 'spread' && p.invocations > 0))
        ids.add(stats.instance_id);
    }
    expect([...ids].sort()).toEqual(['1', '2', '3']);
    const query = `${cluster.state.prometheus.url}/api/v1/query?query=mini_lambda_pool_size`;
    let instances: string[] = [];
    for (let i = 0; i < 60 && instances.length < 3; i++) {
      const body = (await (await fetch(query)).json()) as {
        data: { result: { metric: { instance: string } }[] };
      };
      instances = [...new Set(body.data.result.map((r) => r.metric.instance))].sort();
      if (instances.length < 3) await new Promise((r) => setTimeout(r, 500));
    }
    expect(instances).toEqual(['1', '2', '3']); // honor_labels: the INSTANCE_ID, not the address
  }, 60_000);
});

describe('instances going away under load', () => {
  it('loses at most the requests in flight on an instance killed with SIGKILL; it rejoins after a restart', async () => {
    expect((await deploy(lb, 'steady', 'export const handler = (e) => e')).status).toBe(201);
    const workers = 8;
    const load = steadyLoad('steady', workers);
    await new Promise((r) => setTimeout(r, 1000));
    cluster.instances[1]?.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();
    // Each worker has one request in flight at most: only those can have been lost.
    expect(load.failed()).toBeLessThanOrEqual(workers);
    expect(load.statuses.get('200')).toBeGreaterThan(100);

    await cluster.restartInstance(1);
    // nginx retries a failed server after fail_timeout (30 s, as the seed sets it).
    let rejoined = false;
    const end = performance.now() + 45_000;
    while (!rejoined && performance.now() < end) {
      const res = await invoke(lb, 'steady', '2');
      rejoined = res.headers.get('x-instance-id') === '2';
      if (!rejoined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(rejoined).toBe(true);
  }, 90_000);

  it('loses nothing when an instance is stopped with SIGTERM (graceful drain)', async () => {
    expect((await deploy(lb, 'drained', 'export const handler = (e) => e')).status).toBe(201);
    const load = steadyLoad('drained', 8);
    await new Promise((r) => setTimeout(r, 1000));
    const stopping = cluster.instances[2]?.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();
    expect(await stopping).toBe(0);
    expect(Object.fromEntries(load.statuses)).toEqual({ '200': load.statuses.get('200') });
    await cluster.restartInstance(2);
  }, 60_000);
});

describe('dependencies going away', () => {
  it('keeps warm invocations serving while PostgreSQL restarts; deploys answer 503 until it is back', async () => {
    expect((await deploy(lb, 'through-pg', 'export const handler = () => "pg-v1"')).status).toBe(
      201,
    );
    for (let i = 0; i < 12; i++) await invoke(lb, 'through-pg'); // warm on every instance
    const load = steadyLoad('through-pg', 4);
    await cluster.pg.pause();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const refused = await deploy(lb, 'during-outage', 'export const handler = () => 1');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await cluster.pg.resume();
    }
    await new Promise((r) => setTimeout(r, 500));
    await load.stop();
    expect(load.failed()).toBe(0); // warm: no SQL on the hot path
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await deploy(lb, 'after-outage', 'export const handler = () => 2')).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(201);
    // Notifications resumed: a redeploy on instance 1 reaches instance 2 without a restart.
    const [one, two] = cluster.state.instances;
    expect(
      (await deploy(one?.url as string, 'through-pg', 'export const handler = () => "pg-v2"'))
        .status,
    ).toBe(201);
    let body = '';
    const end = performance.now() + 10_000;
    while (body !== '"pg-v2"' && performance.now() < end) {
      body = await (await invoke(two?.url as string, 'through-pg')).text();
      if (body !== '"pg-v2"') await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('"pg-v2"');
  }, 60_000);

  it('keeps warm invocations serving while storage is down; cold starts and uploads answer 503', async () => {
    const [one, two] = cluster.state.instances;
    expect((await deploy(lb, 'warm-s3', 'export const handler = () => "warm"')).status).toBe(201);
    for (let i = 0; i < 12; i++) await invoke(lb, 'warm-s3');
    // Deployed through instance 1: instance 2 has never seen this bundle.
    expect(
      (await deploy(one?.url as string, 'cold-s3', 'export const handler = () => "cold"')).status,
    ).toBe(201);
    await cluster.stopS3();
    try {
      for (let i = 0; i < 6; i++) expect(await (await invoke(lb, 'warm-s3')).text()).toBe('"warm"');
      const cold = await invoke(two?.url as string, 'cold-s3');
      expect([
        cold.status,
        ((await cold.json()) as { error: { code: string } }).error.code,
      ]).toEqual([503, 'ServiceUnavailable']);
      expect((await deploy(lb, 'upload-s3', 'export const handler = () => 3')).status).toBe(503);
    } finally {
      await cluster.startS3();
    }
    expect(await (await invoke(two?.url as string, 'cold-s3')).text()).toBe('"cold"'); // not cached
  }, 60_000);
});
