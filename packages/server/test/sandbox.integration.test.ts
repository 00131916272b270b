import { readFileSync } from 'node:fs';
import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { type ServerProcess, startServerProcess } from '@mini-lambda/testkit/server-process';
import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus.ts';

// Crash containment end to end: a real server process with two sandbox processes.
const BOMB = 'export function handler(e) { if (e === "ok") return "ok"; new Array(6e7).fill(0) }';
const STEADY = 'export function handler(e) { return e }';
const SLOW =
  'export function handler() { const end = Date.now() + 2000; while (Date.now() < end) {} return 1 }';

let server: ServerProcess;
let pg: TestPostgres;
beforeAll(async () => {
  // PostgreSQL, as in production: embedded PGlite alone takes a few hundred MB in-process.
  pg = await startPostgres();
  server = await startServerProcess({ SANDBOXES: '2', DATABASE_URL: pg.url });
  await server.deploy('bomb', BOMB, '?memory_mb=32&timeout_ms=500');
  await server.deploy('steady', STEADY);
  await server.deploy('slow', SLOW, '?timeout_ms=5000');
});
afterAll(async () => {
  await server?.stop();
  await pg?.stop();
});

const invoke = (name: string, body = '') =>
  fetch(`${server.url}/functions/${name}/invoke`, { method: 'POST', body });
const code = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;
const rssMb = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const sandboxes = async () =>
  (
    (await (await fetch(`${server.url}/health`)).json()) as {
      sandboxes: { pid: number; state: string; restarts: number; in_flight: number }[];
    }
  ).sandboxes;

describe('sandboxes behind the HTTP API', () => {
  it('contains a catastrophic out-of-memory: a quick error, a small server, others unaffected', async () => {
    expect((await invoke('steady', '1')).status).toBe(200);
    expect(await (await invoke('bomb', '"ok"')).text()).toBe('"ok"');
    await until(async () => (await sandboxes()).every((s) => s.state === 'ready'));

    const started = performance.now();
    const exploding = invoke('bomb');
    let done = false;
    void exploding.finally(() => {
      done = true;
    });
    const others: number[] = [];
    while (!done) others.push((await invoke('steady', '2')).status);
    const res = await exploding;
    expect(performance.now() - started).toBeLessThan(500 + 1000);
    expect(res.status).toBe(503);
    expect(await code(res)).toBe('SandboxRestarted');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(others.filter((s) => s !== 200)).toEqual([]);
    expect(rssMb(server.child.pid as number)).toBeLessThan(200); // the isolates are elsewhere

    await until(async () =>
      (await sandboxes()).some((s) => s.restarts === 1 && s.state === 'ready'),
    );
    expect(await (await invoke('bomb', '"ok"')).text()).toBe('"ok"'); // on a new sandbox
    const stats = (await (await fetch(`${server.url}/stats/pools`)).json()) as {
      sandboxes: unknown[];
    };
    expect(stats.sandboxes).toHaveLength(2);
    const samples = parsePrometheusText(await (await fetch(`${server.url}/metrics`)).text());
    const restarts = samples.filter((s) => s.name === 'mini_lambda_sandbox_restarts_total');
    expect(restarts.reduce((n, s) => n + s.value, 0)).toBe(1);
  }, 30_000);

  it('answers 503 SandboxRestarted for calls lost to a sandbox killed from outside', async () => {
    const running = invoke('slow');
    await until(async () => (await sandboxes()).some((s) => s.in_flight === 1));
    const victim = (await sandboxes()).find((s) => s.in_flight === 1);
    process.kill(victim?.pid as number, 'SIGKILL');
    const res = await running;
    expect([res.status, await code(res), res.headers.get('retry-after')]).toEqual([
      503,
      'SandboxRestarted',
      '1',
    ]);
    expect((await invoke('steady', '3')).status).toBe(200);
    expect(await (await invoke('slow')).text()).toBe('1');
  }, 30_000);

  it('quarantines a function that keeps killing sandboxes (503 FunctionQuarantined)', async () => {
    // One death so far is the bomb's; two more within the minute quarantine it.
    for (let i = 0; i < 2; i++) {
      expect((await invoke('bomb')).status).toBe(503);
      await until(async () => (await sandboxes()).every((s) => s.state === 'ready'));
    }
    const res = await invoke('bomb', '"ok"');
    expect([res.status, await code(res)]).toEqual([503, 'FunctionQuarantined']);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(10);
    expect((await invoke('steady', '4')).status).toBe(200);
  }, 30_000);
});
