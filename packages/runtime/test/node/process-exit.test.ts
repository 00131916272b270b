import { afterAll, describe, expect, it } from 'vitest';
import { CodeCache } from '../../src/code-cache.ts';
import { inspectModule } from '../../src/inspect-module.ts';
import { createTestRuntime, EXECUTION_MODES } from '../harness.ts';
import { bundleForIsolate } from './harness.ts';

const exitError = (code: number) => ({
  ok: false,
  reason: 'error',
  error: { name: 'Error', message: `process.exit(${code}) called` },
});

describe.each(EXECUTION_MODES)('process.exit (%s execution)', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());
  let n = 0;
  const deploy = async (source: string, config: Record<string, unknown> = {}) =>
    t.deploy(`exit-${n++}`, await bundleForIsolate(source), config);

  it('ends the invocation with an error; the warm isolate and its state stay', async () => {
    const fn = await deploy(`let calls = 0;
      process.on('exit', (code) => console.log('exit listener', code));
      export function handler(event) {
        calls++;
        if (event === 'exit') { process.exit(3); return 'not reached'; }
        return calls;
      }`);
    const out = await t.runtime.invoke(fn, '"exit"');
    expect(out).toMatchObject(exitError(3));
    expect(out.logs.text).toBe('INFO exit listener 3');
    expect(await t.runtime.invoke(fn, 'null')).toMatchObject({
      ok: true,
      result: '2',
      coldStart: false,
    });
  });

  it('still fails when the handler catches it, or calls it from a timer or after an await', async () => {
    const fn = await deploy(`export async function handler(how) {
      if (how === 'caught') { try { process.exit(); } catch {} return 'caught it'; }
      if (how === 'timer') { setTimeout(() => process.exit(4), 1); await new Promise((r) => setTimeout(r, 50)); return 'late'; }
      if (how === 'exitCode') { process.exitCode = 7; await null; process.exit(); }
      if (how === 'abort') process.abort();
      return 'fine';
    }`);
    expect(await t.runtime.invoke(fn, '"caught"')).toMatchObject(exitError(0));
    expect(await t.runtime.invoke(fn, '"timer"')).toMatchObject(exitError(4));
    expect(await t.runtime.invoke(fn, '"exitCode"')).toMatchObject(exitError(7));
    expect(await t.runtime.invoke(fn, '"abort"')).toMatchObject({
      ok: false,
      error: { message: 'process.abort() called' },
    });
    expect(await t.runtime.invoke(fn, '"ok"')).toMatchObject({ ok: true, result: '"fine"' });
  });

  it('in top-level code fails the cold start, caught or not', async () => {
    for (const source of [
      'process.exit(1); export const handler = () => 1;',
      'try { process.exit(2); } catch {} export const handler = () => 1;',
    ]) {
      const out = await t.runtime.invoke(await deploy(source), 'null');
      expect(out).toMatchObject({
        ok: false,
        message: expect.stringMatching(/process\.exit\(\d\) called/),
      });
    }
  });

  it('in top-level code fails the deploy with a clear message', async () => {
    for (const [source, code] of [
      ['process.exit(1); export const handler = () => 1;', 1],
      ['try { process.exit(2); } catch {} export const handler = () => 1;', 2],
    ] as const) {
      const inspection = await t.runtime.inspect(await bundleForIsolate(source), { memoryMb: 64 });
      expect(inspection).toEqual({
        ok: false,
        reason: 'init_failed',
        message: expect.stringContaining(`process.exit(${code}) called`),
      });
    }
  });
});

describe('deploy inspection', () => {
  const blank = {
    preludeCache: new CodeCache(),
    chunkCaches: new Map(),
    logLimit: 4096,
    maxResultBytes: 1 << 20,
    onCatastrophicError: () => {},
  };

  it("runs top-level code with the deployed function's name and env", async () => {
    const code = await bundleForIsolate(`
      const url = new URL(process.env.API_URL); // throws without the env
      if (process.env.AWS_LAMBDA_FUNCTION_NAME !== 'orders') throw new Error(process.env.AWS_LAMBDA_FUNCTION_NAME);
      if (process.env.AWS_LAMBDA_FUNCTION_VERSION !== '$LATEST') throw new Error('version');
      export const handler = () => url.host;`);
    const options = { memoryMb: 64, initTimeoutMs: 5000 };
    expect(
      await inspectModule(
        code,
        { ...options, name: 'orders', env: { API_URL: 'https://api.example' } },
        blank,
      ),
    ).toEqual({ ok: true, style: 'event' });
    expect(await inspectModule(code, options, blank)).toMatchObject({
      ok: false,
      reason: 'init_failed',
    });
  });
});
