import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());

  const invoke = (name: string, code: string, config: Record<string, unknown> = {}) =>
    t.runtime.invoke(t.deploy(name, code, config), '');

  describe('errors thrown by functions', () => {
    it('returns a thrown Error as name, message and stack', async () => {
      const out = await invoke(
        'throws',
        'export function handler() { throw new RangeError("out of range") }',
      );
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'RangeError', message: 'out of range' },
      });
      expect(out.ok ? '' : out.error?.stack).toMatch(
        /RangeError: out of range\n\s+at handler \(throws@1\.js/,
      );
    });

    it('returns a rejection of an async handler', async () => {
      const out = await invoke(
        'rejects',
        'export async function handler() { await null; throw new Error("later") }',
      );
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'Error', message: 'later' },
      });
    });

    it.each([
      ['null', 'null', 'null'],
      ['a number', '42', '42'],
      ['a string', '"plain"', 'plain'],
      ['undefined', 'undefined', 'undefined'],
      ['a plain object', '{ code: 7 }', 'Non-error value thrown'],
    ])('turns a thrown %s into a clean error', async (_, value, message) => {
      const out = await invoke(
        `thrown-${_.replace(/\W/g, '')}`,
        `export function handler() { throw ${value} }`,
      );
      expect(out).toMatchObject({ ok: false, reason: 'error', error: { message } });
    });

    it('never calls a looping message or name getter on a thrown error', async () => {
      const code = `class Nasty extends Error { get message() { for (;;) {} } get name() { for (;;) {} } }
        export function handler() { throw new Nasty() }`;
      const started = performance.now();
      const out = await invoke('nasty-getter', code, { timeout_ms: 2000 });
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        error: { message: 'Non-error value thrown' },
      });
      expect(performance.now() - started).toBeLessThan(1900);
    });

    it('ignores Error.prepareStackTrace set by the function', async () => {
      const code = `export function handler() {
        try { Error.prepareStackTrace = () => { for (;;) {} } } catch {}
        throw new Error("boom") }`;
      const out = await invoke('prepare-stack', code, { timeout_ms: 2000 });
      expect(out).toMatchObject({ ok: false, reason: 'error', error: { message: 'boom' } });
    });

    it('bounds the length of a huge error message', async () => {
      const out = await invoke(
        'long-message',
        'export function handler() { throw new Error("x".repeat(1e6)) }',
      );
      expect(out).toMatchObject({ ok: false, reason: 'error' });
      expect(out.ok ? 0 : out.error?.message.length).toBeLessThanOrEqual(4096);
    });

    it('describes a thrown Proxy whose traps throw with a fixed message', async () => {
      const code = `export function handler() {
        throw new Proxy({}, { getOwnPropertyDescriptor() { throw new Error('memory limit') }, getPrototypeOf() { throw 1 } });
      }`;
      const out = await invoke('proxy-thrown', code);
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        message: expect.stringMatching(/cannot be described/),
      });
    });

    it('cannot pass its own error off as a timeout or an out-of-memory', async () => {
      const early = await invoke(
        'fake-timeout',
        'export function handler() { throw new Error("Script execution timed out.") }',
      );
      expect(early).toMatchObject({ ok: false, reason: 'error' });
      const init = await invoke(
        'fake-oom',
        'throw new Error("Isolate was disposed during execution due to memory limit"); export const handler = () => 1',
      );
      expect(init).toMatchObject({ ok: false, reason: 'error' });
      expect(init.ok ? '' : init.message.length).toBeLessThanOrEqual(4096);
    });

    it('reports errors normally after Object.prototype gains hostile getters', async () => {
      const code = `export function handler() {
        for (const key of ['value', 'get', 'name', 'message', 'stack']) {
          Object.defineProperty(Object.prototype, key, { __proto__: null, get() { for (;;) {} }, configurable: true });
        }
        throw new Error('boom');
      }`;
      const out = await invoke('proto-getters', code, { timeout_ms: 2000 });
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'Error', message: 'boom' },
      });
    });

    it('reports a stack overflow as an error and keeps the isolate', async () => {
      const fn = t.deploy(
        'overflow',
        'function f(n) { return f(n + 1) + 1 } export function handler(e) { return e === 1 ? f(0) : "fine" }',
      );
      expect(await t.runtime.invoke(fn, '1')).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'RangeError' },
      });
      expect(await t.runtime.invoke(fn, '2')).toMatchObject({
        ok: true,
        result: '"fine"',
        coldStart: false,
      });
    });
  });

  describe('hostile results', () => {
    it.each([
      ['a cycle', 'const o = {}; o.self = o; return o', 'invalid_result'],
      ['a BigInt', 'return 10n', 'invalid_result'],
      ['a function', 'return () => 1', 'invalid_result'],
      ['a symbol', 'return Symbol("s")', 'invalid_result'],
      [
        'a 100k-deep object',
        'let o = {}; for (let i = 0; i < 1e5; i++) o = { o }; return o',
        'invalid_result',
      ],
    ])('turns %s into a clean failure', async (label, body, reason) => {
      const out = await invoke(
        `result-${label.replace(/\W/g, '')}`,
        `export function handler() { ${body} }`,
      );
      expect(out).toMatchObject({ ok: false, reason });
    });

    it('times out a result whose getter loops, inside the isolate', async () => {
      const out = await invoke(
        'getter-loop',
        'export function handler() { return { get x() { for (;;) {} } } }',
        { timeout_ms: 300 },
      );
      expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    });

    it('refuses a result over the size bound', async () => {
      const small = createTestRuntime({ maxResultBytes: 1000, execution });
      const fn = small.deploy('big', 'export function handler(e) { return "é".repeat(e) }');
      expect(await small.runtime.invoke(fn, '400')).toMatchObject({ ok: true });
      expect(await small.runtime.invoke(fn, '600')).toMatchObject({
        ok: false,
        reason: 'result_too_large',
      });
      await small.runtime.dispose();
    });
  });

  describe('timeouts', () => {
    it.each([
      ['a sync loop', 'for (;;) {}'],
      ['an endless await loop', 'for (;;) { await null }'],
      ['a promise that never settles', 'await new Promise(() => {})'],
      [
        'a loop scheduled after returning',
        'Promise.resolve().then(() => { for (;;) {} }); return 1',
      ],
      [
        'a microtask chain after returning',
        'const spin = () => Promise.resolve().then(spin); spin(); return 1',
      ],
    ])('ends %s at timeout_ms and replaces the isolate', async (label, body) => {
      const fn = t.deploy(
        `timeout-${label.replace(/\W/g, '')}`,
        `export async function handler(e) { if (e === "ok") return "ok"; ${body} }`,
        {
          timeout_ms: 200,
        },
      );
      const started = performance.now();
      const out = await t.runtime.invoke(fn, '');
      expect(out).toMatchObject({ ok: false, reason: 'timeout' });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await t.runtime.invoke(fn, '"ok"')).toMatchObject({
        ok: true,
        result: '"ok"',
        coldStart: true,
      });
    });

    it('names the configured timeout even when the handler spun before it waited', async () => {
      const fn = t.deploy(
        'spin-then-wait',
        'export function handler() { const end = Date.now() + 150; while (Date.now() < end) {} return new Promise(() => {}) }',
        { timeout_ms: 400 },
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({
        ok: false,
        reason: 'timeout',
        message: 'The function timed out after 400 ms',
      });
    });

    it('bounds top-level code by the init timeout, not the invocation timeout', async () => {
      const init = createTestRuntime({ execution, initTimeoutMs: 300 });
      const loop = init.deploy('init-loop', 'for (;;) {} export function handler() {}');
      expect(await init.runtime.invoke(loop, '')).toMatchObject({
        ok: false,
        reason: 'timeout',
        coldStart: true,
      });
      await init.runtime.dispose();
      // Slow top-level code does not eat into the handler's own timeout.
      const roomy = createTestRuntime({ execution, initTimeoutMs: 10_000 });
      const slowInit = roomy.deploy(
        'init-slow',
        'const end = Date.now() + 150; while (Date.now() < end) {} export const handler = () => "up"',
        { timeout_ms: 100 },
      );
      expect(await roomy.runtime.invoke(slowInit, '')).toMatchObject({ ok: true, result: '"up"' });
      await roomy.runtime.dispose();
    });
  });

  describe('memory', () => {
    it('ends a memory bomb as oom, keeps the host alive and serves the next call', async () => {
      const fn = t.deploy(
        'bomb',
        'export function handler(e) { if (e === "ok") return "ok"; const a = []; for (;;) a.push("x".repeat(1024) + a.length) }',
        { memory_mb: 32, timeout_ms: 10_000 },
      );
      const out = await t.runtime.invoke(fn, '');
      expect(out).toMatchObject({ ok: false, reason: 'oom' });
      expect(await t.runtime.invoke(fn, '"ok"')).toMatchObject({
        ok: true,
        result: '"ok"',
        coldStart: true,
      });
      expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
    });
  });
});
