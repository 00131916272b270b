import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, deployed, type TestInstance, testInstance } from './instance.ts';

let t: TestInstance;
beforeAll(async () => {
  t = await testInstance({ POOL_QUEUE_LIMIT: '2', POOL_QUEUE_TIMEOUT_MS: '2000' });
});
afterAll(() => t.close());

/** Isolates have no timers yet: a function that is busy for `ms` and then returns. */
const BUSY = (ms: number, result: string) =>
  `export function handler() { const end = Date.now() + ${ms}; while (Date.now() < end) {} return ${result} }`;
const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
const errorOf = async (res: Response) => (await json(res)).error as Record<string, unknown>;

describe('invoke', () => {
  it('returns the result with the invocation headers, cold then warm', async () => {
    await deployed(
      t,
      'hello',
      `export async function handler(event: { name?: string } | null, context: any) {
        console.log('hello from', context.functionName);
        return { hello: event?.name ?? 'world', version: context.functionVersion,
                 id: context.invocationId, same: context.awsRequestId === context.invocationId,
                 left: context.getRemainingTimeInMillis() > 0 };
      }`,
    );
    const cold = await t.request('/functions/hello/invoke?log=tail', {
      method: 'POST',
      headers: auth, // a function's logs are for its owner
      body: '{"name":"Ada"}',
    });
    expect(cold.status).toBe(200);
    expect(cold.headers.get('content-type')).toBe('application/json');
    expect(cold.headers.get('x-cold-start')).toBe('true');
    expect(cold.headers.get('x-function-version')).toBe('1');
    expect(cold.headers.get('x-instance-id')).toBe('test-1');
    expect(Number(cold.headers.get('x-duration-ms'))).toBeGreaterThan(0);
    const id = cold.headers.get('x-invocation-id');
    expect(await json(cold)).toEqual({ hello: 'Ada', version: '1', id, same: true, left: true });
    expect(Buffer.from(cold.headers.get('x-log-result') ?? '', 'base64').toString()).toBe(
      'INFO hello from hello',
    );
    const anonymous = await t.invoke('hello', '', '?log=tail');
    expect(anonymous.status).toBe(401);
    const warm = await t.invoke('hello');
    expect(warm.headers.get('x-cold-start')).toBe('false');
    expect(warm.headers.get('x-log-result')).toBeNull();
    expect(await json(warm)).toMatchObject({ hello: 'world' });
  });

  it('serves the new version after a redeploy, and ?version= the old one', async () => {
    await deployed(t, 'versions', 'export const handler = () => "one"');
    expect(await (await t.invoke('versions')).text()).toBe('"one"');
    await deployed(t, 'versions', 'export const handler = () => "two"');
    expect(await (await t.invoke('versions')).text()).toBe('"two"');
    expect(await (await t.invoke('versions', '', '?version=1')).text()).toBe('"one"');
    const gone = await t.invoke('versions', '', '?version=3');
    expect([gone.status, (await errorOf(gone)).code]).toEqual([404, 'FunctionNotFound']);
    const silly = await t.invoke('versions', '', '?version=-1');
    expect(silly.status).toBe(404);
  });

  it('never fails an invocation that runs during a redeploy', async () => {
    // Enough isolates that nothing is throttled: only the redeploy could fail a call.
    await deployed(t, 'rolling', BUSY(5, '1'), '?max_concurrency=64');
    const calls = Array.from({ length: 40 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 5)).then(() => t.invoke('rolling')),
    );
    await deployed(t, 'rolling', 'export const handler = async () => 2');
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const bodies = await Promise.all(results.map((r) => r.text()));
    expect(bodies.every((b) => b === '1' || b === '2')).toBe(true);
    expect(await (await t.invoke('rolling')).text()).toBe('2');
  });

  it('maps every failure outcome to its docs/api.md status and code', async () => {
    await deployed(t, 'thrower', 'export function handler() { throw new TypeError("nope") }');
    const thrown = await t.invoke('thrower');
    expect(thrown.status).toBe(500);
    expect(thrown.headers.get('x-function-error')).toBe('Unhandled');
    expect(thrown.headers.get('x-invocation-id')).toBeTruthy();
    const error = await errorOf(thrown);
    expect(error).toMatchObject({ code: 'FunctionError', name: 'TypeError', message: 'nope' });
    expect(error.stack).toContain('TypeError: nope');
    expect(error.stack).toContain('at handler');
    expect(error.stack).not.toContain('mini-lambda:'); // our prelude's frames are not shown

    await deployed(
      t,
      'weird',
      'export function handler(e) { return e === 1 ? (() => 1) : "x".repeat(7 * 1024 * 1024) }',
    );
    const fnResult = await t.invoke('weird', '1');
    expect([fnResult.status, (await errorOf(fnResult)).code]).toEqual([500, 'InvalidResult']);
    const big = await t.invoke('weird', '2');
    expect([big.status, (await errorOf(big)).code]).toEqual([500, 'ResultTooLarge']);

    const notJson = await t.invoke('thrower', '{"a":');
    expect([notJson.status, (await errorOf(notJson)).code]).toEqual([400, 'InvalidJSON']);
    const missing = await t.invoke('no-such-function');
    expect([missing.status, (await errorOf(missing)).code]).toEqual([404, 'FunctionNotFound']);
    const badName = await t.invoke('Bad%20Name');
    expect([badName.status, (await errorOf(badName)).code]).toEqual([400, 'InvalidName']);
  });

  it('answers 504 for an infinite loop while another function keeps answering 200', async () => {
    await deployed(t, 'spin', 'export function handler() { for (;;) {} }', '?timeout_ms=1500');
    await deployed(t, 'steady', 'export const handler = (e) => e');
    const spinning = t.invoke('spin');
    const started = performance.now();
    const others: number[] = [];
    while (performance.now() - started < 1000) {
      others.push((await t.invoke('steady', '7')).status);
    }
    const spun = await spinning;
    expect([spun.status, (await errorOf(spun)).code]).toEqual([504, 'FunctionTimeout']);
    expect(others.length).toBeGreaterThan(3);
    expect(others.every((s) => s === 200)).toBe(true);
  });

  it('answers 500 OutOfMemory for a memory bomb and stays healthy', async () => {
    await deployed(
      t,
      'bomb',
      'export function handler() { const a = []; for (;;) a.push("x".repeat(1024) + a.length) }',
      '?memory_mb=32&timeout_ms=10000',
    );
    const res = await t.invoke('bomb');
    expect([res.status, (await errorOf(res)).code]).toEqual([500, 'OutOfMemory']);
    const health = await t.request('/health');
    expect(health.status).toBe(200);
    expect(await (await t.invoke('hello', '{"name":"again"}')).json()).toMatchObject({
      hello: 'again',
    });
  });

  it('answers 429 with Retry-After once max_concurrency and the queue are exhausted', async () => {
    await deployed(t, 'slow', BUSY(600, '"done"'), '?max_concurrency=1');
    // One runs, two wait (POOL_QUEUE_LIMIT=2), the rest are refused at once.
    const results = await Promise.all(Array.from({ length: 6 }, () => t.invoke('slow')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    const refused = results.find((r) => r.status === 429) as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await errorOf(refused)).code).toBe('TooManyRequests');
  });

  it('refuses an event over 6 MB with 413', async () => {
    const res = await t.invoke('hello', `"${'x'.repeat(6 * 1024 * 1024)}"`);
    expect([res.status, (await errorOf(res)).code]).toEqual([413, 'PayloadTooLarge']);
  });

  it('does not bring back a function deleted while its invocation body was arriving', async () => {
    await deployed(t, 'ephemeral', 'export const handler = () => "alive"');
    expect(await (await t.invoke('ephemeral')).text()).toBe('"alive"');
    let release = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"slow":'));
        release = () => {
          controller.enqueue(new TextEncoder().encode('true}'));
          controller.close();
        };
      },
    });
    const pending = t.request('/functions/ephemeral/invoke', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 50));
    expect(
      (await t.request('/functions/ephemeral', { method: 'DELETE', headers: auth })).status,
    ).toBe(204);
    release();
    expect((await pending).status).toBe(404);
    const stats = (await (await t.request('/stats/pools')).json()) as {
      pools: { function: string }[];
    };
    expect(stats.pools.some((p) => p.function === 'ephemeral')).toBe(false);
  });
});

describe('invoke key', () => {
  it('requires MINI_LAMBDA_INVOKE_KEY (or the API key) on invoke when it is set', async () => {
    const locked = await testInstance({ MINI_LAMBDA_INVOKE_KEY: 'invoke-key-0123456789' });
    try {
      await deployed(locked, 'private', 'export const handler = () => "secret"');
      expect((await locked.invoke('private')).status).toBe(401);
      const wrong = await locked.request('/functions/private/invoke', {
        method: 'POST',
        headers: { Authorization: 'Bearer wrong-key' },
      });
      expect(wrong.status).toBe(403);
      const right = await locked.request('/functions/private/invoke', {
        method: 'POST',
        headers: { Authorization: 'Bearer invoke-key-0123456789' },
      });
      expect(await right.text()).toBe('"secret"');
    } finally {
      await locked.close();
    }
  });
});
