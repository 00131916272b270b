import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { startS3, type TestS3 } from '@mini-lambda/testkit/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, type RunningServer, startServer } from '../src/index.ts';
import { rawExchange, rawRequest, streamUntilAnswered } from './http.ts';
import { API_KEY, auth } from './instance.ts';

// Two real instances on one real PostgreSQL and one S3 endpoint (s3rver), over real HTTP.
let pg: TestPostgres;
let s3: TestS3;
const dataDirs: string[] = [];
const servers: RunningServer[] = [];

async function instance(id: string): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `ml-server-${id}-`));
  dataDirs.push(dataDir);
  const server = await startServer(
    parseServerConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      INSTANCE_ID: id,
      DATA_DIR: dataDir,
      DATABASE_URL: pg.url,
      S3_ENDPOINT: s3.url,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'server-test',
      MINI_LAMBDA_API_KEY: API_KEY,
      LOG_LEVEL: 'silent',
    }),
  );
  servers.push(server);
  return server;
}

let a: RunningServer;
let b: RunningServer;
beforeAll(async () => {
  pg = await startPostgres();
  s3 = await startS3();
  [a, b] = await Promise.all([instance('a'), instance('b')]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await s3?.stop();
  await pg?.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const deploy = (server: RunningServer, name: string, source: string) =>
  fetch(`${server.url}/functions/${name}`, {
    method: 'PUT',
    headers: { ...auth, 'Content-Type': 'application/javascript' },
    body: source,
  });
const invoke = (server: RunningServer, name: string, body = '') =>
  fetch(`${server.url}/functions/${name}/invoke`, { method: 'POST', body });

/** Polls /health (probed every second) until it answers `status`, for at most 5 s. */
async function waitForHealth(server: RunningServer, status: number) {
  for (let i = 0; ; i++) {
    const res = await fetch(`${server.url}/health`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    if (res.status === status || i >= 50) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('across instances', () => {
  it('serves a deploy made on another instance, and a redeploy within 1 s, never going back', async () => {
    expect((await deploy(a, 'shared', 'export const handler = () => "v1"')).status).toBe(201);
    expect(await (await invoke(b, 'shared')).text()).toBe('"v1"');
    expect((await deploy(a, 'shared', 'export const handler = () => "v2"')).status).toBe(201);
    const deployed = performance.now();
    const seen: string[] = [];
    while (performance.now() - deployed < 3000) {
      seen.push(await (await invoke(b, 'shared')).text());
      if (seen.length > 5 && seen.slice(-5).every((s) => s === '"v2"')) break;
    }
    const firstNew = seen.indexOf('"v2"');
    expect(firstNew).toBeGreaterThanOrEqual(0);
    expect(seen.slice(firstNew).every((s) => s === '"v2"')).toBe(true);
    expect(performance.now() - deployed).toBeLessThan(3000); // served well within the loop
  });

  it('drains a function deleted on another instance', async () => {
    expect((await deploy(a, 'short-lived', 'export const handler = () => 1')).status).toBe(201);
    expect((await invoke(b, 'short-lived')).status).toBe(200);
    await fetch(`${a.url}/functions/short-lived`, { method: 'DELETE', headers: auth });
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await invoke(b, 'short-lived')).status;
    }
    expect(status).toBe(404);
    const stats = (await (await fetch(`${b.url}/stats/pools`)).json()) as {
      pools: { function: string }[];
    };
    expect(stats.pools.some((p) => p.function === 'short-lived')).toBe(false);
  });

  it('keeps every function across a restart', async () => {
    expect((await deploy(a, 'durable', 'export const handler = () => "still here"')).status).toBe(
      201,
    );
    await a.close();
    a = await instance('a2');
    expect(await (await invoke(a, 'durable')).text()).toBe('"still here"');
  });
});

describe('hostile requests over a real socket', () => {
  it.each([
    '/functions/../invoke',
    '/functions/%2e%2e/invoke',
    '/functions/%2E%2e',
    '/functions/./x',
  ])('refuses the raw path %s with 400 InvalidName', async (path) => {
    const res = await rawRequest(a.url, 'POST', path, auth);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'InvalidName' } });
    expect(res.headers['x-instance-id']).toBe('a2');
  });

  it('answers a chunked upload past 50 MB with 413 before it has all been sent', async () => {
    const res = await streamUntilAnswered(
      b.url,
      '/functions/huge',
      { ...auth, 'Content-Type': 'application/zip' },
      Buffer.alloc(1024 * 1024, 1),
      400,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'PayloadTooLarge' } });
    expect(res.sent).toBeLessThan(400);
  });

  it('answers a declared Content-Length past 6 MB at once, without reading the body', async () => {
    const res = await rawRequest(b.url, 'POST', '/functions/shared/invoke', {
      'Content-Length': String(100 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it.each([
    [
      'a backslash in the target',
      'GET /functions\\hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      400,
    ],
    ['a malformed Host', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n', 400],
    ['a bad request line', 'NOT HTTP AT ALL\r\n\r\n', 400],
    [
      'headers over 16 KB',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
  ])('answers %s with a JSON error and the instance header', async (_what, bytes, status) => {
    const answer = await rawExchange(b.url, bytes);
    expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer.toLowerCase()).toContain('x-instance-id: b');
    expect(answer).toMatch(/\{"error":\{"code":"\w+","message":/);
  });

  it('never answers with HTML or a stack trace of ours', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['POST', '/functions'],
      ['GET', '/functions/shared/invoke'],
      ['PUT', '/functions/x?memory_mb=abc'],
    ] as const) {
      const res = await rawRequest(b.url, method, path, auth);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).not.toMatch(/<html|at .*\.ts:\d+|\/work\//i);
    }
  });
});

describe('object storage down', () => {
  it('keeps warm functions serving; uploads and cold starts answer 503 and recover', async () => {
    expect((await deploy(b, 'warm', 'export const handler = () => "warm"')).status).toBe(201);
    expect((await deploy(a, 'cold', 'export const handler = () => "cold"')).status).toBe(201);
    expect(await (await invoke(b, 'warm')).text()).toBe('"warm"');
    await s3.pause();
    try {
      expect(await (await invoke(b, 'warm')).text()).toBe('"warm"');
      const upload = await deploy(b, 'blocked', 'export const handler = () => 1');
      expect(upload.status).toBe(503);
      expect(upload.headers.get('retry-after')).toBeTruthy();
      // `cold` was built on instance a: b must read it from storage for its first start.
      const degraded = await waitForHealth(b, 503);
      expect(degraded).toMatchObject({
        status: 'degraded',
        checks: { database: 'ok', runtime: 'ok' },
      });
      expect(degraded.checks.storage).not.toBe('ok');
      const cold = await invoke(b, 'cold');
      expect([
        cold.status,
        ((await cold.json()) as { error: { code: string } }).error.code,
      ]).toEqual([503, 'ServiceUnavailable']);
    } finally {
      await s3.resume();
    }
    // The miss was not cached: the same cold start succeeds once storage is back.
    expect(await (await invoke(b, 'cold')).text()).toBe('"cold"');
    expect(await waitForHealth(b, 200)).toMatchObject({ status: 'ok' });
  });
});
