import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());

  describe('handler contract', () => {
    it('runs a sync handler with the parsed event and returns its JSON', async () => {
      const fn = t.deploy('sync', 'export function handler(e) { return { got: e, n: 1 } }');
      const out = await t.runtime.invoke(fn, '{"a":[1,2]}');
      expect(out).toMatchObject({ ok: true, result: '{"got":{"a":[1,2]},"n":1}', coldStart: true });
    });

    it('runs an async handler and reuses the warm isolate', async () => {
      const fn = t.deploy('async', 'export async function handler(e) { await null; return e * 2 }');
      const first = await t.runtime.invoke(fn, '21');
      const second = await t.runtime.invoke(fn, '4');
      expect(first).toMatchObject({ ok: true, result: '42', coldStart: true });
      expect(second).toMatchObject({ ok: true, result: '8', coldStart: false });
      // Only a cold start reports its init phase, and it is part of the duration.
      expect(first.initDurationMs).toBeGreaterThan(0);
      expect(first.initDurationMs).toBeLessThanOrEqual(first.durationMs);
      expect(second.initDurationMs).toBeUndefined();
    });

    it('treats an empty body as null and undefined results as null', async () => {
      const fn = t.deploy(
        'nulls',
        'export function handler(e) { if (e !== null) throw new Error("not null") }',
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: true, result: 'null' });
    });

    it('passes the Lambda context', async () => {
      const fn = t.deploy(
        'ctx',
        `export function handler(e, c) {
          return { n: c.functionName, v: c.functionVersion, id: c.invocationId, aws: c.awsRequestId,
            mem: c.memoryLimitInMB, left: c.getRemainingTimeInMillis(), env: c.env.GREETING };
        }`,
        { memory_mb: 64, timeout_ms: 5000, env: { GREETING: 'hi' } },
        7,
      );
      const out = await t.runtime.invoke(fn, 'null', { invocationId: 'abc-123' });
      expect(out.ok).toBe(true);
      const ctx = JSON.parse(out.ok ? out.result : '{}');
      expect(ctx).toMatchObject({
        n: 'ctx',
        v: '7',
        id: 'abc-123',
        aws: 'abc-123',
        mem: 64,
        env: 'hi',
      });
      expect(ctx.left).toBeGreaterThan(4000);
      expect(ctx.left).toBeLessThanOrEqual(5000);
    });

    it('reports an event that is not JSON as invalid_event', async () => {
      const fn = t.deploy('echo', 'export const handler = (e) => e');
      expect(await t.runtime.invoke(fn, '{nope')).toMatchObject({
        ok: false,
        reason: 'invalid_event',
      });
    });

    it('keeps globals between invocations of a warm isolate, as Lambda does', async () => {
      const fn = t.deploy(
        'counter',
        'let n = 0; export function handler() { globalThis.hits = (globalThis.hits ?? 0) + 1; return ++n + hits }',
      );
      expect((await t.runtime.invoke(fn, '')).ok && true).toBe(true);
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: true, result: '4' });
    });

    it('fails to load a module without a handler export', async () => {
      const fn = t.deploy('nohandler', 'export const x = 1');
      const out = await t.runtime.invoke(fn, '');
      expect(out).toMatchObject({ ok: false, reason: 'error', coldStart: true });
      expect(out.ok ? '' : out.message).toBe('The module has no handler: it exports x (a number)');
    });

    it('runs CommonJS Lambda code unmodified (exports.handler, module.exports = { handler })', async () => {
      // What esbuild makes of a CommonJS entry: its module.exports as the default export.
      const cjs = (body: string) =>
        `var module = { exports: {} }; var exports = module.exports; ${body}; export default module.exports;`;
      const a = t.deploy('cjs-a', cjs('exports.handler = async (event) => ({ got: event })'));
      const b = t.deploy(
        'cjs-b',
        cjs('module.exports = { handler: (event, context) => context.functionName }'),
      );
      expect(await t.runtime.invoke(a, '{"x":1}')).toMatchObject({
        ok: true,
        result: '{"got":{"x":1}}',
      });
      expect(await t.runtime.invoke(b, '')).toMatchObject({ ok: true, result: '"cjs-b"' });
    });

    it('inspects a bundle for a deploy: its real handler style, or what it exports instead', async () => {
      const inspect = (code: string) => t.runtime.inspect(code, { memoryMb: 32 });
      expect(await inspect('export const handler = () => 1')).toEqual({ ok: true, style: 'event' });
      expect(await inspect('export default { handler() {} }')).toEqual({
        ok: true,
        style: 'event',
      });
      expect(await inspect('export default { fetch() {} }')).toEqual({ ok: true, style: 'fetch' });
      expect(await inspect('export default 42')).toEqual({
        ok: false,
        reason: 'no_handler',
        message: 'The module has no handler: it exports default (a number)',
      });
      expect(await inspect('throw new TypeError("bad")')).toEqual({
        ok: false,
        reason: 'init_failed',
        message: "The module's top-level code failed: bad",
      });
    });

    it('prefers an ESM handler to a default export', async () => {
      const fn = t.deploy(
        'both',
        'export const handler = () => "esm"; export default { handler: () => "cjs", fetch() {} }',
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: true, result: '"esm"' });
    });

    it('reports a syntax error and a top-level throw as errors', async () => {
      const syntax = await t.runtime.invoke(t.deploy('syntax', 'export function handler( {'), '');
      expect(syntax).toMatchObject({ ok: false, reason: 'error', error: { name: 'SyntaxError' } });
      const init = await t.runtime.invoke(
        t.deploy('initthrow', 'throw new TypeError("bad init"); export function handler() {}'),
        '',
      );
      expect(init).toMatchObject({
        ok: false,
        reason: 'error',
        message: expect.stringMatching(/bad init/),
      });
    });

    it('refuses imports that were not bundled', async () => {
      const out = await t.runtime.invoke(
        t.deploy('imports', 'import fs from "fs"; export const handler = () => 1'),
        '',
      );
      expect(out).toMatchObject({
        ok: false,
        reason: 'error',
        message: expect.stringMatching(/cannot import "fs"/),
      });
    });
  });
});
