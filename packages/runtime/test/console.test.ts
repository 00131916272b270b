import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

const LIMIT = 400;
describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  const t = createTestRuntime({ logLimit: LIMIT, execution });
  afterAll(() => t.runtime.dispose());

  describe('console capture', () => {
    it('captures each level per invocation, with objects and errors formatted', async () => {
      const fn = t.deploy(
        'logs',
        `export function handler(e) {
          console.log('hello', 1, { a: [true] });
          console.info('info'); console.warn('warn'); console.error(new TypeError('bad'));
          console.debug(null, undefined);
          return e;
        }`,
      );
      const out = await t.runtime.invoke(fn, '1');
      expect(out.ok).toBe(true);
      const lines = out.logs.text.split('\n');
      expect(lines.slice(0, 4)).toEqual([
        'INFO hello 1 {"a":[true]}',
        'INFO info',
        'WARN warn',
        'ERROR TypeError: bad',
      ]);
      expect(lines.at(-1)).toBe('DEBUG null undefined');
      expect(out.logs.dropped).toBe(0);
    });

    it('starts every invocation with an empty buffer', async () => {
      const fn = t.deploy(
        'fresh',
        'let n = 0; export function handler() { console.log("call", ++n) }',
      );
      await t.runtime.invoke(fn, '');
      expect((await t.runtime.invoke(fn, '')).logs).toEqual({ text: 'INFO call 2', dropped: 0 });
    });

    it('keeps the newest lines within the bound and counts what it dropped', async () => {
      const fn = t.deploy(
        'chatty',
        'export function handler() { for (let i = 0; i < 1000; i++) console.log("line", i) }',
      );
      const out = await t.runtime.invoke(fn, '');
      expect(out.logs.text.length).toBeLessThanOrEqual(LIMIT);
      expect(out.logs.text.endsWith('INFO line 999')).toBe(true);
      const kept = out.logs.text.split('\n').length;
      expect(out.logs.dropped).toBe(1000 - kept);
    });

    it('cuts a single huge line short', async () => {
      const fn = t.deploy('huge', 'export function handler() { console.log("y".repeat(1e6)) }');
      const out = await t.runtime.invoke(fn, '');
      expect(out.logs.text.length).toBeLessThanOrEqual(LIMIT);
      expect(out.logs.dropped).toBe(1);
    });

    it('never hands output of work left running to the next caller', async () => {
      const fn = t.deploy(
        'late-logs',
        `export function handler(e) {
          if (e.who === 'alice') Promise.resolve().then(() => console.log('secret of alice:', e.secret));
          return e.who;
        }`,
      );
      const alice = await t.runtime.invoke(fn, '{"who":"alice","secret":"pw123"}');
      const bob = await t.runtime.invoke(fn, '{"who":"bob"}');
      expect(alice.logs.text).not.toContain('pw123');
      expect(bob).toMatchObject({ ok: true, result: '"bob"', logs: { text: '', dropped: 0 } });
    });

    it('keeps memory flat however many lines a call logs', async () => {
      const fn = t.deploy(
        'log-flood',
        'export function handler(n) { for (let i = 0; i < n; i++) console.log(""); return n }',
        { memory_mb: 16, timeout_ms: 20_000 },
      );
      const out = await t.runtime.invoke(fn, '3000000');
      expect(out).toMatchObject({ ok: true, result: '3000000' });
      expect(out.logs.dropped).toBe(3_000_000 - out.logs.text.split('\n').length);
    }, 30_000);

    it('captures logs of a failed invocation too', async () => {
      const fn = t.deploy(
        'logthenthrow',
        'export function handler() { console.log("before"); throw new Error("x") }',
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({
        ok: false,
        logs: { text: 'INFO before' },
      });
    });
  });
});
