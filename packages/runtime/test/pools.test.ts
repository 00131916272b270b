import { parseFunctionConfig } from '@mini-lambda/core';
import { until } from '@mini-lambda/testkit/wait';
import { describe, expect, it } from 'vitest';
import { createInProcessRuntime, runtimeLimits } from '../src/index.ts';
import { createTestRuntime, IN_SANDBOX } from './harness.ts';

/** A handler that keeps its isolate busy for `event` ms (there are no timers in isolates). */
const BUSY =
  'export function handler(ms) { const end = Date.now() + ms; while (Date.now() < end) {} return ms }';

const poolOf = async (t: ReturnType<typeof createTestRuntime>, name: string) =>
  (await t.runtime.stats()).pools.find((p) => p.function === name);

describe('pools', () => {
  it('reuses one warm isolate for sequential calls', async () => {
    const t = createTestRuntime();
    const fn = t.deploy('seq', BUSY);
    for (let i = 0; i < 5; i++) await t.runtime.invoke(fn, '0');
    expect(await poolOf(t, 'seq')).toMatchObject({
      size: 1,
      idle: 1,
      busy: 0,
      invocations: 5,
      cold_starts: 1,
    });
    await t.runtime.dispose();
  });

  it('grows to max_concurrency, loading and compiling the code once', async () => {
    const t = createTestRuntime({ maxExecuting: 4 });
    const fn = t.deploy('grow', BUSY, { max_concurrency: 3 });
    const outs = await Promise.all(Array.from({ length: 6 }, () => t.runtime.invoke(fn, '100')));
    expect(outs.every((o) => o.ok)).toBe(true);
    expect(outs.filter((o) => o.coldStart)).toHaveLength(3);
    expect(await poolOf(t, 'grow')).toMatchObject({
      size: 3,
      max: 3,
      invocations: 6,
      cold_starts: 3,
    });
    expect(t.loads.get(fn.sha256)).toBe(1);
    await t.runtime.dispose();
  });

  it('throttles past the queue bound with a Retry-After hint', async () => {
    const t = createTestRuntime({ queueLimit: 2 });
    const fn = t.deploy('throttle', BUSY, { max_concurrency: 1 });
    const outs = await Promise.all(Array.from({ length: 5 }, () => t.runtime.invoke(fn, '150')));
    expect(outs.filter((o) => o.ok)).toHaveLength(3);
    const throttled = outs.filter((o) => !o.ok);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]).toMatchObject({ reason: 'throttled', retryAfterMs: 1000 });
    expect(await poolOf(t, 'throttle')).toMatchObject({ throttles: 2, invocations: 3 });
    await t.runtime.dispose();
  });

  it('throttles a waiter that waits past the queue timeout', async () => {
    const t = createTestRuntime({ queueTimeoutMs: 100 });
    const fn = t.deploy('slowqueue', BUSY, { max_concurrency: 1 });
    const [first, second] = await Promise.all([
      t.runtime.invoke(fn, '600'),
      t.runtime.invoke(fn, '0'),
    ]);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({
      ok: false,
      reason: 'throttled',
      message: expect.stringMatching(/within 100 ms/),
    });
    await t.runtime.dispose();
  });

  it('disposes isolates idle past the TTL', async () => {
    const t = createTestRuntime({ idleTtlMs: 200 });
    const fn = t.deploy('ttl', BUSY);
    await t.runtime.invoke(fn, '0');
    expect(await poolOf(t, 'ttl')).toMatchObject({ size: 1 });
    await until(async () => (await poolOf(t, 'ttl'))?.size === 0);
    expect(await poolOf(t, 'ttl')).toMatchObject({ size: 0, evictions: 1 });
    expect(await t.runtime.invoke(fn, '0')).toMatchObject({ ok: true, coldStart: true });
    await t.runtime.dispose();
  });

  it('evicts the least recently used idle isolate of any pool at the isolate cap', async () => {
    const t = createTestRuntime({ maxIsolates: 2 });
    const a = t.deploy('lru-a', BUSY);
    const b = t.deploy('lru-b', BUSY);
    const c = t.deploy('lru-c', BUSY);
    await t.runtime.invoke(a, '0');
    await t.runtime.invoke(b, '0');
    await t.runtime.invoke(a, '0'); // b is now the least recently used
    await t.runtime.invoke(c, '0');
    const stats = await t.runtime.stats();
    expect(stats.totals.isolates).toBe(2);
    expect(await poolOf(t, 'lru-b')).toMatchObject({ size: 0, evictions: 1 });
    expect(await poolOf(t, 'lru-a')).toMatchObject({ size: 1, evictions: 0 });
    await t.runtime.dispose();
  });

  it('evicts by the sum of memory limits, and waits while nothing idle can go', async () => {
    const t = createTestRuntime({ maxTotalMemoryMb: 100 });
    const a = t.deploy('mem-a', BUSY, { memory_mb: 64 });
    const b = t.deploy('mem-b', BUSY, { memory_mb: 64 });
    await t.runtime.invoke(a, '0');
    await t.runtime.invoke(b, '0');
    expect(await poolOf(t, 'mem-a')).toMatchObject({ size: 0, evictions: 1 });
    const busyB = t.runtime.invoke(b, '300').then((o) => ({ o, at: performance.now() }));
    const blockedA = t.runtime.invoke(a, '0').then((o) => ({ o, at: performance.now() }));
    const [first, second] = await Promise.all([busyB, blockedA]);
    expect(first.o).toMatchObject({ ok: true });
    // a waited for b's isolate to go idle, evicted it, and started cold.
    expect(second.o).toMatchObject({ ok: true, coldStart: true });
    expect(second.at).toBeGreaterThanOrEqual(first.at);
    expect(await poolOf(t, 'mem-b')).toMatchObject({ size: 0, evictions: 1 });
    expect((await t.runtime.stats()).totals.reserved_memory_mb).toBe(64);
    await t.runtime.dispose();
  });

  it('keeps blank spare isolates for the memory size last cold-started', async () => {
    const t = createTestRuntime({ spareIsolates: 2 });
    const a = t.deploy('spare-a', BUSY, { memory_mb: 64 });
    await t.runtime.invoke(a, '0');
    await until(async () => (await t.runtime.stats()).totals.spares === 2);
    expect((await t.runtime.stats()).totals).toMatchObject({ isolates: 1, spares: 2 });
    const b = t.deploy('spare-b', 'export const handler = () => "b"', { memory_mb: 64 });
    const taken = (await t.runtime.stats()).totals.spares_taken;
    expect(await t.runtime.invoke(b, '')).toMatchObject({
      ok: true,
      result: '"b"',
      coldStart: true,
    });
    const after = (await t.runtime.stats()).totals;
    expect(after).toMatchObject({ isolates: 2, spares_taken: taken + 1 });
    // In a sandbox, stats cross a pipe after the outcome: the refill may have run by then.
    if (!IN_SANDBOX) expect(after.spares).toBe(1);
    await t.runtime.dispose();
    expect((await t.runtime.stats()).totals).toMatchObject({ isolates: 0, spares: 0 });
  });

  it('retires a function: the next call starts cold', async () => {
    const t = createTestRuntime();
    const fn = t.deploy('retire', BUSY);
    await t.runtime.invoke(fn, '0');
    await t.runtime.retire('retire');
    expect(await poolOf(t, 'retire')).toBeUndefined();
    expect((await t.runtime.stats()).totals.isolates).toBe(0);
    expect(await t.runtime.invoke(fn, '0')).toMatchObject({ ok: true, coldStart: true });
    await t.runtime.dispose();
  });

  it('starts a fresh pool when the same version comes back with other code or memory', async () => {
    const t = createTestRuntime();
    const first = t.deploy('redeploy', 'export const handler = () => 1');
    const second = t.deploy('redeploy', 'export const handler = () => 2');
    expect(await t.runtime.invoke(first, '')).toMatchObject({ result: '1' });
    expect(await t.runtime.invoke(second, '')).toMatchObject({ result: '2', coldStart: true });
    const patched = { ...second, config: { ...second.config, timeout_ms: 999 } };
    expect(await t.runtime.invoke(patched, '')).toMatchObject({ result: '2', coldStart: false });
    expect((await t.runtime.stats()).totals.isolates).toBe(1);
    await t.runtime.dispose();
  });

  it('does not evict anything for a cold start that cannot fit', async () => {
    const t = createTestRuntime({ maxTotalMemoryMb: 300, queueTimeoutMs: 100 });
    const small = ['fit-a', 'fit-b', 'fit-c', 'fit-d'].map((n) =>
      t.deploy(n, BUSY, { memory_mb: 64 }),
    );
    for (const fn of small) await t.runtime.invoke(fn, '0');
    // More than the instance may ever hold: refused at once.
    const huge = t.deploy('fit-huge', BUSY, { memory_mb: 1024 });
    expect(await t.runtime.invoke(huge, '0')).toMatchObject({
      ok: false,
      reason: 'throttled',
      message: expect.stringMatching(/more than this instance may hold/),
    });
    // Only fit-d is idle (64 MB), not enough for 256 MB: the call waits its bound and is
    // throttled, and fit-d stays warm.
    const medium = t.deploy('fit-medium', BUSY, { memory_mb: 256 });
    const busyOnes = small.slice(0, 3).map((fn) => t.runtime.invoke(fn, '500'));
    expect(await t.runtime.invoke(medium, '0')).toMatchObject({ ok: false, reason: 'throttled' });
    await Promise.all(busyOnes);
    expect((await t.runtime.stats()).totals).toMatchObject({
      isolates: 4,
      reserved_memory_mb: 256,
    });
    for (const fn of small) {
      expect(await t.runtime.invoke(fn, '0')).toMatchObject({ coldStart: false });
    }
    await t.runtime.dispose();
  });

  it('queues a function with no isolate of its own until room frees elsewhere', async () => {
    const t = createTestRuntime({ maxIsolates: 1, queueTimeoutMs: 3000 });
    const a = t.deploy('room-a', BUSY);
    const b = t.deploy('room-b', 'export const handler = () => "b"');
    await t.runtime.invoke(a, '0');
    const busyA = t.runtime.invoke(a, '150');
    expect(await t.runtime.invoke(b, '')).toMatchObject({
      ok: true,
      result: '"b"',
      coldStart: true,
    });
    expect(await busyA).toMatchObject({ ok: true });
    await t.runtime.dispose();
  });

  it('gives a waiter blocked on the instance cap an isolate that goes idle elsewhere', async () => {
    const t = createTestRuntime({ maxIsolates: 2, queueTimeoutMs: 5000 });
    const a = t.deploy('cap-a', BUSY);
    const b = t.deploy('cap-b', BUSY, { max_concurrency: 2 });
    await Promise.all([t.runtime.invoke(a, '0'), t.runtime.invoke(b, '0')]);
    const aShort = t.runtime.invoke(a, '100');
    const bLong = t.runtime.invoke(b, '1500').then((o) => ({ o, at: performance.now() }));
    const bSecond = t.runtime.invoke(b, '0').then((o) => ({ o, at: performance.now() }));
    await aShort;
    const [long, second] = await Promise.all([bLong, bSecond]);
    expect(second.o).toMatchObject({ ok: true, coldStart: true });
    expect(second.at).toBeLessThan(long.at);
    expect(await poolOf(t, 'cap-a')).toMatchObject({ size: 0, evictions: 1 });
    await t.runtime.dispose();
  });

  it('returns every count to rest after successes, failures and dispose', async () => {
    const t = createTestRuntime({ maxIsolates: 6, queueLimit: 4, initTimeoutMs: 500 });
    const fns = [
      t.deploy('rest-ok', BUSY, { max_concurrency: 2 }),
      t.deploy('rest-timeout', 'export function handler() { for (;;) {} }', { timeout_ms: 100 }),
      t.deploy(
        'rest-oom',
        'export function handler() { const a = []; for (;;) a.push("x".repeat(1e4)) }',
        {
          memory_mb: 16,
        },
      ),
      t.deploy('rest-init', 'for (;;) {} export const handler = () => 1'),
      t.deploy('rest-throw', 'export function handler() { throw new Error("no") }'),
      t.deploy('rest-syntax', 'export function handler( {'),
    ];
    const outs = await Promise.all(
      fns.flatMap((fn) => [0, 1, 2].map(() => t.runtime.invoke(fn, '5'))),
    );
    expect(outs.filter((o) => o.ok).length).toBeGreaterThan(0);
    const stats = await t.runtime.stats();
    const sizes = stats.pools.reduce((n, p) => n + p.size, 0);
    expect(stats.totals).toMatchObject({ busy: 0, waiting: 0, executing: 0, waiting_for_cpu: 0 });
    expect(stats.totals.isolates).toBe(sizes);
    await t.runtime.dispose();
    expect((await t.runtime.stats()).totals).toMatchObject({ isolates: 0, reserved_memory_mb: 0 });
  });

  it('dispose stops cold starts that were still loading or waiting for a CPU slot', async () => {
    const runtime = createInProcessRuntime(
      {
        loadCode: async (fn) => {
          if (fn.name === 'hog') return 'export function handler() { for (;;) {} }';
          await new Promise((r) => setTimeout(r, fn.name === 'slow-load' ? 300 : 0));
          return `export function handler() { return "${fn.name} ran" }`;
        },
      },
      runtimeLimits({ maxExecuting: 1, queueTimeoutMs: 5000 }),
    );
    const config = parseFunctionConfig({ timeout_ms: 5000 });
    const fn = (name: string) => ({ name, version: 1, sha256: name.padEnd(64, '0'), config });
    const hog = runtime.invoke(fn('hog'), ''); // holds the only CPU slot
    await new Promise((r) => setTimeout(r, 50));
    const queued = runtime.invoke(fn('queued'), ''); // waits for the slot
    const loading = runtime.invoke(fn('slow-load'), ''); // still loading its bundle
    await new Promise((r) => setTimeout(r, 50));
    await runtime.dispose();
    for (const out of await Promise.all([hog, queued, loading])) {
      expect(out).toMatchObject({
        ok: false,
        reason: 'crashed',
        message: expect.stringMatching(/shut down/),
      });
    }
    expect((await runtime.stats()).totals).toMatchObject({ isolates: 0, reserved_memory_mb: 0 });
  });

  it('dispose ends busy calls and refuses new ones', async () => {
    const t = createTestRuntime();
    const fn = t.deploy('dispose', BUSY, { timeout_ms: 10_000 });
    await t.runtime.invoke(fn, '0');
    const running = t.runtime.invoke(fn, '5000');
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await t.runtime.dispose();
    expect(await running).toMatchObject({
      ok: false,
      reason: 'crashed',
      message: expect.stringMatching(/shut down/),
    });
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(t.runtime.invoke(fn, '0')).rejects.toMatchObject({ code: 'ServiceUnavailable' });
  });
});

describe('CPU cap', () => {
  it('runs at most maxExecuting isolates at once and keeps the host event loop free', async () => {
    const t = createTestRuntime({ maxExecuting: 2, queueTimeoutMs: 30_000 });
    const fn = t.deploy('spin', 'export function handler() { for (;;) {} }', {
      max_concurrency: 16,
      timeout_ms: 400,
    });
    const spinning = Array.from({ length: 16 }, () => t.runtime.invoke(fn, ''));
    // Wait for the calls to start (a sandbox process may still be starting up).
    let stats = await t.runtime.stats();
    for (let i = 0; i < 100 && stats.totals.executing < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await t.runtime.stats();
    }
    expect(stats.totals.executing).toBe(2);
    expect(stats.totals.waiting_for_cpu).toBeGreaterThan(0);
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const at = performance.now();
      await new Promise((r) => setTimeout(r, 10));
      lags.push(performance.now() - at - 10);
    }
    expect(Math.max(...lags)).toBeLessThan(1000);
    const outs = await Promise.all(spinning);
    expect(outs.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(Array(16).fill('timeout'));
    await t.runtime.dispose();
  });

  it('bounds the wait for an execution slot, so spinners cannot delay others without end', async () => {
    const t = createTestRuntime({ maxExecuting: 1, queueTimeoutMs: 200 });
    const spin = t.deploy('hog', 'export function handler() { for (;;) {} }', { timeout_ms: 2000 });
    const quick = t.deploy('quick', 'export const handler = () => "done"');
    await t.runtime.invoke(quick, '');
    const hog = t.runtime.invoke(spin, '');
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const out = await t.runtime.invoke(quick, '');
    expect(out).toMatchObject({
      ok: false,
      reason: 'throttled',
      message: expect.stringMatching(/execution slot/),
    });
    expect(performance.now() - started).toBeLessThan(1900);
    expect(await poolOf(t, 'quick')).toMatchObject({ throttles: 1, invocations: 1 });
    expect(await hog).toMatchObject({ reason: 'timeout' });
    expect(await t.runtime.invoke(quick, '')).toMatchObject({ ok: true });
    await t.runtime.dispose();
  });
});
