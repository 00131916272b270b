import { readFileSync } from 'node:fs';
import type { InvocationOutcome, RuntimeLimitsInput } from '@mini-lambda/core';
import { alive, until } from '@mini-lambda/testkit/wait';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../src/index.ts';
import { disposeSandboxed, NOBODY, ROOT, startSandboxed } from './sandboxed-harness.ts';

// The supervisor with real sandbox processes: crashes, kills, quarantine, shutdown.
const BOMB = 'export function handler(e) { if (e === "ok") return "ok"; new Array(6e7).fill(0) }';
const ECHO = 'export function handler(e) { return e }';
const BUSY_MS =
  'export function handler(ms) { const end = Date.now() + ms; while (Date.now() < end) {} return ms }';

afterEach(disposeSandboxed);

/** A sandboxed runtime fed by the test harness's bundles, recording sandbox exits. */
function sandboxed(
  sandboxes: number,
  quarantine = { threshold: 3, windowMs: 60_000, cooldownMs: 30_000 },
  limits: RuntimeLimitsInput = {},
) {
  return startSandboxed({ sandboxes, quarantine, limits });
}

const pids = async (runtime: Runtime) =>
  ((await runtime.stats()).sandboxes ?? []).map((s) => s.pid);
describe('sandbox processes', () => {
  it('contains a catastrophic out-of-memory: the call ends in time, others keep answering, the sandbox is replaced', async () => {
    const t = sandboxed(2);
    const bomb = t.deploy('bomb', BOMB, { memory_mb: 32, timeout_ms: 500 });
    const echo = t.deploy('echo', ECHO);
    expect(await t.runtime.invoke(echo, '1')).toMatchObject({ ok: true, result: '1' });
    expect(await t.runtime.invoke(bomb, '"ok"')).toMatchObject({ ok: true }); // assigned apart
    const before = await pids(t.runtime);
    const rssBefore = process.memoryUsage.rss();

    const started = performance.now();
    const exploding = t.runtime.invoke(bomb, '');
    const others: InvocationOutcome[] = [];
    let done = false;
    void exploding.finally(() => {
      done = true;
    });
    while (!done) others.push(await t.runtime.invoke(echo, '2'));
    const out = await exploding;
    expect(performance.now() - started).toBeLessThan(500 + 1000);
    expect(out.ok).toBe(false);
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((o) => !o.ok)).toEqual([]);
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(100 * 1024 * 1024); // not here

    await until(
      async () => (await t.runtime.stats()).sandboxes?.some((s) => s.restarts === 1) ?? false,
    );
    expect(t.exits.length).toBe(1);
    expect(['catastrophic', 'memory', 'unresponsive']).toContain(t.exits[0]);
    const after = await pids(t.runtime);
    expect(after.filter((pid) => !before.includes(pid))).toHaveLength(1);
    // Functions of the lost sandbox are served again (on a new sandbox).
    expect(await t.runtime.invoke(bomb, '"ok"')).toMatchObject({ ok: true, result: '"ok"' });
    expect(await t.runtime.invoke(echo, '3')).toMatchObject({ ok: true, result: '3' });
  }, 30_000);

  it('replaces a sandbox killed from outside; only its calls in flight are lost', async () => {
    const t = sandboxed(2);
    const slow = t.deploy(
      'slow',
      'export function handler() { const e = Date.now() + 1500; while (Date.now() < e) {} return 1 }',
      { timeout_ms: 5000 },
    );
    const echo = t.deploy('echo', ECHO);
    await t.runtime.invoke(slow, '');
    await t.runtime.invoke(echo, '1');
    const stats = await t.runtime.stats();
    const running = t.runtime.invoke(slow, '');
    await until(async () =>
      ((await t.runtime.stats()).sandboxes ?? []).some((s) => s.in_flight === 1),
    );
    const victim = (await t.runtime.stats()).sandboxes?.find((s) => s.in_flight === 1);
    process.kill(victim?.pid as number, 'SIGKILL');
    expect(await running).toMatchObject({ ok: false, reason: 'crashed', retryAfterMs: 1000 });
    expect(await t.runtime.invoke(echo, '2')).toMatchObject({ ok: true });
    await until(
      async () => (await t.runtime.health()).sandboxes?.every((s) => s.state === 'ready') ?? false,
    );
    expect(t.exits).toEqual(['exited']);
    expect(stats.sandboxes?.map((s) => s.restarts)).toEqual([0, 0]);
    expect(await t.runtime.invoke(slow, '')).toMatchObject({ ok: true, result: '1' });
  }, 30_000);

  it('quarantines a function that keeps killing sandboxes', async () => {
    const t = sandboxed(2, { threshold: 2, windowMs: 60_000, cooldownMs: 20_000 });
    const bomb = t.deploy('crashloop', BOMB, { memory_mb: 32, timeout_ms: 300 });
    const echo = t.deploy('echo', ECHO);
    for (let i = 0; i < 2; i++) {
      const out = await t.runtime.invoke(bomb, '');
      expect(out.ok).toBe(false);
      await until(() => t.exits.length === i + 1);
    }
    const refused = await t.runtime.invoke(bomb, '"ok"');
    expect(refused).toMatchObject({ ok: false, reason: 'quarantined' });
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeGreaterThan(10_000);
    expect(await t.runtime.invoke(echo, '5')).toMatchObject({ ok: true, result: '5' });
  }, 30_000);

  it('runs warm calls synchronously; a call stuck behind a long one goes to an idle sandbox', async () => {
    const t = sandboxed(2);
    const busy = t.deploy('busy', BUSY_MS, { max_concurrency: 2, timeout_ms: 5000 });
    await t.runtime.invoke(busy, '0');
    await until(
      async () => (await t.runtime.health()).sandboxes?.every((s) => s.state === 'ready') ?? false,
    );
    const first = t.runtime.invoke(busy, '800');
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    const second = await t.runtime.invoke(busy, '0');
    expect(second).toMatchObject({ ok: true, coldStart: true }); // on the other sandbox
    expect(performance.now() - started).toBeLessThan(600); // not behind the 800 ms call
    expect(await first).toMatchObject({ ok: true });
  });

  it('throttles a call that waited in a busy sandbox past the queue bound, unrun', async () => {
    const t = sandboxed(1, undefined, { queueTimeoutMs: 300 });
    const busy = t.deploy('busy', BUSY_MS, { timeout_ms: 5000 });
    await t.runtime.invoke(busy, '0');
    const first = t.runtime.invoke(busy, '1000');
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.runtime.invoke(busy, '0')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await first).toMatchObject({ ok: true });
  });

  it('runs sandboxes with an empty environment, and as nobody when we are root', async () => {
    const t = sandboxed(1);
    await t.runtime.invoke(t.deploy('echo', ECHO), '1');
    const [pid] = await pids(t.runtime);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toBe('');
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    expect(uid).toBe(String(ROOT ? NOBODY.uid : process.getuid?.()));
  });

  it('shows its sandboxes in stats and health, and ends them on dispose', async () => {
    const t = sandboxed(2);
    await t.runtime.invoke(t.deploy('echo', ECHO), '1');
    const stats = await t.runtime.stats();
    expect(stats.sandboxes).toHaveLength(2);
    expect(stats.sandboxes?.[0]).toMatchObject({ slot: 0, state: 'ready', restarts: 0 });
    expect(stats.totals.isolates).toBe(1);
    expect((await t.runtime.health()).ok).toBe(true);
    const running = await pids(t.runtime);
    await t.runtime.dispose();
    await until(() => running.every((pid) => !alive(pid)));
    await expect(t.runtime.invoke(t.deploy('echo', ECHO), '1')).rejects.toMatchObject({
      code: 'ServiceUnavailable',
    });
  });
});
