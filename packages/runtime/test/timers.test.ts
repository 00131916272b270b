import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const resultOf = (out: { ok: boolean; result?: string }) =>
  out.ok && out.result !== undefined ? JSON.parse(out.result) : out;

describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  // One execution slot: waiting invocations must not hold it.
  const t = createTestRuntime({ execution, maxExecuting: 1 });
  afterAll(() => t.runtime.dispose());

  describe('timers', () => {
    it('runs setTimeout, setInterval and queueMicrotask inside the invocation', async () => {
      const fn = t.deploy(
        'timers-basic',
        `export async function handler() {
          const order = [];
          const started = Date.now();
          await new Promise((resolve) => setTimeout((a, b) => { order.push('timeout:' + a + b); resolve(); }, 30, 'x', 'y'));
          queueMicrotask(() => order.push('microtask'));
          await null;
          let ticks = 0;
          await new Promise((resolve) => {
            const id = setInterval(() => { if (++ticks === 3) { clearInterval(id); resolve(); } }, 5);
          });
          const cancelled = setTimeout(() => order.push('cancelled'), 1);
          clearTimeout(cancelled);
          await new Promise((resolve) => setTimeout(resolve, 10));
          return { order, ticks, waited: Date.now() - started >= 29, id: typeof cancelled };
        }`,
      );
      expect(resultOf(await t.runtime.invoke(fn, ''))).toEqual({
        order: ['timeout:xy', 'microtask'],
        ticks: 3,
        waited: true,
        id: 'number',
      });
    });

    it('cancels a timer still pending when its invocation ends: it never fires in a later one', async () => {
      const fn = t.deploy(
        'timers-leak',
        `globalThis.fired = [];
        export function handler(event) {
          if (event.arm) { setTimeout(() => fired.push('late'), 30); setInterval(() => fired.push('tick'), 5); }
          return fired;
        }`,
      );
      expect(resultOf(await t.runtime.invoke(fn, '{"arm":true}'))).toEqual([]);
      await sleep(120);
      expect(resultOf(await t.runtime.invoke(fn, '{}'))).toEqual([]);
      await sleep(60);
      expect(resultOf(await t.runtime.invoke(fn, '{}'))).toEqual([]);
    });

    it('fails the invocation with what a timer callback threw', async () => {
      const fn = t.deploy(
        'timers-throw',
        `export function handler() {
          return new Promise(() => setTimeout(() => { throw new RangeError('from a timer') }, 5));
        }`,
      );
      const out = await t.runtime.invoke(fn, '');
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'RangeError', message: 'from a timer' },
      });
      // The isolate is still good.
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: false, coldStart: false });
    });

    it('ends a timer callback that spins at the deadline, and the function serves again', async () => {
      const fn = t.deploy(
        'timers-spin',
        `export function handler(event) {
          if (event.spin) return new Promise(() => setTimeout(() => { for (;;) {} }, 5));
          return 'fine';
        }`,
        { timeout_ms: 300 },
      );
      expect(await t.runtime.invoke(fn, '{"spin":true}')).toMatchObject({
        ok: false,
        reason: 'timeout',
      });
      expect(await t.runtime.invoke(fn, '{}')).toMatchObject({ ok: true, result: '"fine"' });
    });

    it('bounds a 0 ms interval by the deadline and a timer flood by the timer cap', async () => {
      const interval = t.deploy(
        'timers-interval',
        'export function handler() { let n = 0; setInterval(() => n++, 0); return new Promise(() => {}) }',
        { timeout_ms: 300 },
      );
      expect(await t.runtime.invoke(interval, '')).toMatchObject({ ok: false, reason: 'timeout' });
      // Each setTimeout is a host call (≈ 90 µs from isolated-vm's thread pool): room for 10,000.
      const flood = t.deploy(
        'timers-flood',
        `export function handler() {
          let set = 0;
          try { for (let i = 0; i < 100000; i++) { setTimeout(() => {}, 60000); set++; } }
          catch (e) { return { set, name: e.name, message: e.message }; }
          return { set };
        }`,
        { timeout_ms: 20000 },
      );
      expect(resultOf(await t.runtime.invoke(flood, ''))).toEqual({
        set: 10000,
        name: 'RangeError',
        message: 'An invocation may have at most 10000 timers pending',
      });
    });

    it('refuses timers in top-level code, where no invocation owns them', async () => {
      const fn = t.deploy(
        'timers-top',
        `setTimeout(() => {}, 1); export function handler() { return 1 }`,
      );
      const out = await t.runtime.invoke(fn, '');
      expect(out).toMatchObject({ ok: false, reason: 'error' });
      expect(out.ok ? '' : out.message).toMatch(/top-level code/);
    });

    it('holds no execution slot while an invocation waits: waiting invocations overlap', async () => {
      const fn = t.deploy(
        'timers-wait',
        `export async function handler() { await new Promise((r) => setTimeout(r, 300)); return 'done'; }`,
        { max_concurrency: 8 },
      );
      await t.runtime.invoke(fn, ''); // warm one isolate; the others start cold below
      const started = performance.now();
      const outs = await Promise.all(Array.from({ length: 8 }, () => t.runtime.invoke(fn, '')));
      const elapsed = performance.now() - started;
      expect(outs.every((o) => o.ok)).toBe(true);
      // One at a time would take 8 × 300 ms; overlapping, about one wait.
      expect(elapsed).toBeLessThan(8 * 300 * 0.6);
    });
  });
});
