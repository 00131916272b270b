import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from '../harness.ts';
import { bundleForIsolate } from './harness.ts';

const EXAMPLE = new URL('../../../../examples/lambda-cjs/', import.meta.url).pathname;

describe.each(EXECUTION_MODES)('Lambda handler conventions (%s execution)', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());
  let n = 0;
  const deploy = async (source: string, config: Record<string, unknown> = {}) =>
    t.deploy(`conventions-${n++}`, await bundleForIsolate(source), config);
  const invoke = async (source: string, event: unknown = null) =>
    t.runtime.invoke(await deploy(source), JSON.stringify(event));

  it('runs CommonJS exports.handler with process.env read at load and Node built-ins', async () => {
    const fn = await deploy(
      `const { EventEmitter } = require('events');
       const util = require('node:util');
       const TABLE = process.env.TABLE_NAME;
       exports.handler = async (event, context) => {
         const e = new EventEmitter();
         let got;
         e.once('x', (v) => { got = v; });
         e.emit('x', event.n);
         return { table: TABLE, got, text: util.format('%s=%d', 'n', event.n), by: context.functionName };
       };`,
      { env: { TABLE_NAME: 'orders' } },
    );
    expect(await t.runtime.invoke(fn, '{"n":5}')).toMatchObject({
      ok: true,
      result: JSON.stringify({ table: 'orders', got: 5, text: 'n=5', by: fn.name }),
    });
  });

  it('takes the result of the callback form, sync or later', async () => {
    expect(
      await invoke(
        `exports.handler = (event, context, callback) => { callback(null, { now: event }); };`,
        1,
      ),
    ).toMatchObject({ ok: true, result: '{"now":1}' });
    expect(
      await invoke(`exports.handler = function (event, context, callback) {
        setTimeout(() => callback(null, 'later'), 20);
      };`),
    ).toMatchObject({ ok: true, result: '"later"' });
    expect(await invoke(`exports.handler = (e, c, cb) => { cb(); };`)).toMatchObject({
      ok: true,
      result: 'null',
    });
  });

  it('fails the invocation with the error given to the callback', async () => {
    expect(
      await invoke(`exports.handler = (e, c, callback) => {
        setTimeout(() => callback(new RangeError('no such order')), 1);
      };`),
    ).toMatchObject({
      ok: false,
      reason: 'error',
      error: { name: 'RangeError', message: 'no such order' },
    });
    expect(await invoke(`exports.handler = (e, c, cb) => cb('plain string');`)).toMatchObject({
      ok: false,
      error: { name: 'Error', message: 'plain string' },
    });
  });

  it('ignores every call after the first, and a throw after a callback', async () => {
    expect(
      await invoke(
        `exports.handler = (e, c, cb) => { cb(null, 1); cb(null, 2); cb(new Error('x')); };`,
      ),
    ).toMatchObject({ ok: true, result: '1' });
    expect(
      await invoke(
        `exports.handler = (e, c, cb) => { cb(null, 'first'); throw new Error('after'); };`,
      ),
    ).toMatchObject({ ok: true, result: '"first"' });
    expect(
      await invoke(
        `exports.handler = (e, c, cb) => { cb(new Error('first')); c.succeed('second'); };`,
      ),
    ).toMatchObject({ ok: false, error: { message: 'first' } });
  });

  it('takes the first of the callback and the returned promise', async () => {
    expect(
      await invoke(
        `exports.handler = async (e, c, cb) => { cb(null, 'callback'); return 'promise'; };`,
      ),
    ).toMatchObject({ ok: true, result: '"callback"' });
    expect(
      await invoke(`exports.handler = async (e, c, cb) => {
        setTimeout(() => cb(null, 'callback'), 30);
        return 'promise';
      };`),
    ).toMatchObject({ ok: true, result: '"promise"' });
    expect(
      await invoke(`exports.handler = async (e, c, cb) => {
        setTimeout(() => cb(null, 'callback'), 5);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('too late');
      };`),
    ).toMatchObject({ ok: true, result: '"callback"' });
  });

  it('keeps what a handler without a callback returns, as before', async () => {
    expect(await invoke(`exports.handler = (event) => event * 2;`, 21)).toMatchObject({
      ok: true,
      result: '42',
    });
    expect(await invoke(`exports.handler = () => {};`)).toMatchObject({ ok: true, result: 'null' });
  });

  it("has the legacy context.done/succeed/fail of AWS's Node runtime", async () => {
    expect(
      await invoke(`exports.handler = (e, context) => { context.succeed({ ok: 1 }); };`),
    ).toMatchObject({
      ok: true,
      result: '{"ok":1}',
    });
    expect(
      await invoke(`exports.handler = (e, context) => { context.done(null, 'done'); };`),
    ).toMatchObject({
      ok: true,
      result: '"done"',
    });
    expect(
      await invoke(`exports.handler = (e, context) => { context.fail(new Error('failed')); };`),
    ).toMatchObject({ ok: false, error: { message: 'failed' } });
    expect(await invoke(`exports.handler = (e, context) => { context.fail(); };`)).toMatchObject({
      ok: false,
      error: { message: 'handled' },
    });
  });

  it('times out a callback handler that never calls back', async () => {
    const fn = await deploy(`exports.handler = (e, c, cb) => {};`, { timeout_ms: 200 });
    expect(await t.runtime.invoke(fn, 'null')).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('has callbackWaitsForEmptyEventLoop, the log names and the ARN in the context', async () => {
    const fn = await deploy(
      `exports.handler = (event, context, callback) => {
        const before = context.callbackWaitsForEmptyEventLoop;
        context.callbackWaitsForEmptyEventLoop = false;
        callback(null, {
          before, after: context.callbackWaitsForEmptyEventLoop,
          group: context.logGroupName, stream: context.logStreamName, arn: context.invokedFunctionArn,
          left: context.getRemainingTimeInMillis(),
        });
      };`,
      { timeout_ms: 3000 },
    );
    const out = await t.runtime.invoke(fn, 'null');
    const ctx = JSON.parse(out.ok ? out.result : '{}');
    expect(ctx).toEqual({
      before: true,
      after: false,
      group: `/aws/lambda/${fn.name}`,
      stream: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[1\][0-9a-f]{32}$/),
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${fn.name}`,
      left: expect.any(Number),
    });
    expect(ctx.left).toBeGreaterThan(2000);
    expect(ctx.left).toBeLessThanOrEqual(3000);
  });

  it('cancels what a callback handler leaves running: the result goes out at the callback', async () => {
    const fn = await deploy(`let fired = 0;
      exports.handler = (event, context, callback) => {
        if (event === 'count') return callback(null, fired);
        setTimeout(() => { fired++; }, 50);
        callback(null, 'sent');
      };`);
    expect(await t.runtime.invoke(fn, '"go"')).toMatchObject({ ok: true, result: '"sent"' });
    // Had the invocation waited for its timer, the timer would have fired.
    await new Promise((r) => setTimeout(r, 100));
    expect(await t.runtime.invoke(fn, '"count"')).toMatchObject({ ok: true, result: '0' });
  });

  describe('examples/lambda-cjs', () => {
    it('index.js reads TABLE_NAME at load and hashes with node:crypto', async () => {
      const code = await bundleForIsolate({ file: `${EXAMPLE}index.js` });
      const fn = t.deploy(`example-cjs-${n++}`, code, { env: { TABLE_NAME: 'orders' } });
      const out = await t.runtime.invoke(fn, '{"order":1}');
      expect(out.ok).toBe(true);
      const { createHash } = await import('node:crypto');
      expect(JSON.parse(out.ok ? out.result : '{}')).toMatchObject({
        table: 'orders',
        region: 'us-east-1',
        id: createHash('sha256').update('{"order":1}').digest('hex').slice(0, 12),
        by: fn.name,
      });
    });

    it('callback.js answers through its callback, and fails through it', async () => {
      const source = readFileSync(`${EXAMPLE}callback.js`, 'utf8');
      const fn = await deploy(source);
      expect(await t.runtime.invoke(fn, '{"name":"Ada"}')).toMatchObject({
        ok: true,
        result: '{"greeting":"Hello, Ada"}',
      });
      expect(await t.runtime.invoke(fn, '{}')).toMatchObject({
        ok: false,
        error: { message: 'event.name is required' },
      });
    });
  });
});
