import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from '../harness.ts';
import { bundleForIsolate, inNode } from './harness.ts';

const ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;

describe.each(EXECUTION_MODES)('process (%s execution)', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());
  let n = 0;
  const deploy = async (source: string, config: Record<string, unknown> = {}, version = 1) =>
    t.deploy(`process-${n++}`, await bundleForIsolate(source), config, version);
  const run = async (source: string, config: Record<string, unknown> = {}) => {
    const out = await t.runtime.invoke(await deploy(source, config), 'null');
    if (!out.ok) throw new Error(`${out.reason}: ${out.message}`);
    return JSON.parse(out.result) as unknown;
  };

  it('has the function env, and only it, in top-level code already', async () => {
    const fn = await deploy(
      `const TABLE = process.env.TABLE_NAME;
       const all = { ...process.env };
       export function handler() { return { TABLE, all, keys: Object.keys(process.env) }; }`,
      { env: { TABLE_NAME: 'orders', EMPTY: '' }, memory_mb: 256 },
      3,
    );
    const out = await t.runtime.invoke(fn, 'null');
    expect(out.ok).toBe(true);
    const env = {
      TABLE_NAME: 'orders',
      EMPTY: '',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_REGION: 'us-east-1',
      TZ: ZONE,
    };
    expect(JSON.parse(out.ok ? out.result : '{}')).toEqual({
      TABLE: 'orders',
      all: env,
      keys: Object.keys(env),
    });
  });

  it('says what the isolate clock does in TZ, and lets no function override the Lambda variables', async () => {
    expect(
      await run(
        `export function handler() {
           return [process.env.TZ, Intl.DateTimeFormat().resolvedOptions().timeZone,
             process.env.AWS_REGION, process.env.AWS_LAMBDA_FUNCTION_VERSION];
         }`,
        { env: { TZ: 'Asia/Tokyo', AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_VERSION: '9' } },
      ),
    ).toEqual([ZONE, ZONE, 'us-east-1', '1']);
  });

  it("changes env as Node's process.env does", async () => {
    // The same steps on this process's real env are the reference (keys of our own).
    const steps = `
      const e = process.env;
      const err = (f) => { try { f(); return 'ok'; } catch (x) { return [x.name, x.code ?? null, x.message]; } };
      e.H5_A = 1; e.H5_B = undefined; e.H5_C = null; e.H5_D = { toString() { return 'obj'; } };
      const shapes = [typeof e.H5_A, e.H5_A, e.H5_B, e.H5_C, e.H5_D];
      const deleted = [delete e.H5_A, 'H5_A' in e, delete e.H5_NEVER];
      const defined = [
        err(() => Object.defineProperty(e, 'H5_E', { value: 2 })),
        err(() => Object.defineProperty(e, 'H5_F', { get() { return 1; } })),
        err(() => Object.defineProperty(e, 'H5_G', { value: 3, writable: true, enumerable: true, configurable: true })),
        e.H5_G,
        err(() => { e[Symbol('s')] = 1; }),
        err(() => { e.H5_H = Symbol('v'); }),
        Object.getOwnPropertyDescriptor(e, 'H5_C'),
        String(e),
      ];
      for (const k of ['H5_B', 'H5_C', 'H5_D', 'H5_G']) delete e[k];
    `;
    const source = `export function handler() { ${steps} return { shapes, deleted, defined }; }`;
    expect(await run(source)).toEqual(await inNode(source));
  });

  it('keeps env changes in the same isolate, never in another function', async () => {
    const source = `export function handler() {
      const seen = process.env.COUNT ?? 'none';
      process.env.COUNT = (Number(process.env.COUNT ?? 0) + 1);
      return seen;
    }`;
    const a = await deploy(source);
    const b = await deploy(source);
    const results = [];
    for (const fn of [a, a, b, a]) {
      const out = await t.runtime.invoke(fn, 'null');
      results.push(out.ok ? JSON.parse(out.result) : out.message);
    }
    expect(results).toEqual(['none', '1', 'none', '2']);
  });

  it('runs nextTick callbacks in order, with their arguments, before the next timer', async () => {
    const source = `export async function handler() {
      const order = [];
      setTimeout(() => order.push('timeout'), 0);
      process.nextTick((a, b) => order.push(['tick1', a, b]), 1, 2);
      process.nextTick(() => { order.push('tick2'); process.nextTick(() => order.push('nested')); });
      process.nextTick(() => order.push('tick3'));
      order.push('sync');
      await new Promise((r) => setTimeout(r, 5));
      return order;
    }`;
    expect(await run(source)).toEqual(await inNode(source));
  });

  it('fails the invocation when a nextTick callback throws, as an uncaught exception', async () => {
    const fn = await deploy(`export async function handler() {
      process.nextTick(() => { throw new TypeError('tick failed'); });
      await new Promise((r) => setTimeout(r, 20));
      return 'not reached';
    }`);
    expect(await t.runtime.invoke(fn, 'null')).toMatchObject({
      ok: false,
      reason: 'error',
      error: { name: 'TypeError', message: 'tick failed' },
    });
    // The isolate goes on.
    expect((await t.runtime.invoke(fn, 'null')).ok).toBe(false);
  });

  it("refuses bad arguments with Node's errors", async () => {
    const source = `export function handler() {
      const err = (f) => { try { f(); return 'ok'; } catch (x) { return [x.name, x.code, x.message]; } };
      return [
        err(() => process.nextTick(1)),
        err(() => process.hrtime(1)),
        err(() => process.hrtime([1])),
        err(() => process.emitWarning(42)),
      ];
    }`;
    expect(await run(source)).toEqual(await inNode(source));
  });

  it('has hrtime, uptime, memoryUsage and cpuUsage shaped as Node has them', async () => {
    const source = `export async function handler() {
      const t0 = process.hrtime();
      const b0 = process.hrtime.bigint();
      await new Promise((r) => setTimeout(r, 30));
      const d = process.hrtime(t0);
      const b = process.hrtime.bigint() - b0;
      const m = process.memoryUsage();
      const c1 = process.cpuUsage();
      return {
        shape: [Array.isArray(t0), t0.length, t0.every(Number.isInteger), typeof b0],
        elapsed: d[0] * 1e3 + d[1] / 1e6 >= 20 && d[1] < 1e9 && b >= 20000000n,
        uptime: typeof process.uptime() === 'number' && process.uptime() >= 0,
        memory: [Object.keys(m), Object.values(m).every(Number.isInteger), typeof process.memoryUsage.rss()],
        cpu: [Object.keys(c1), Object.keys(process.cpuUsage(c1))],
      };
    }`;
    expect(await run(source)).toEqual(await inNode(source));
  });

  it("is Node 24's process, on Linux, in Lambda's directories", async () => {
    const got = (await run(`export function handler() {
      const err = (f) => { try { f(); return 'ok'; } catch (x) { return [x.name, x.code, x.message]; } };
      return {
        version: process.version, versions: process.versions, arch: process.arch,
        platform: process.platform, release: process.release, title: process.title,
        argv: process.argv, execArgv: process.execArgv, pid: process.pid, ppid: process.ppid,
        cwd: process.cwd(), umask: process.umask(), features: process.features,
        tag: Object.prototype.toString.call(process),
        chdir: err(() => process.chdir('/')), binding: err(() => process.binding('fs')),
        linked: err(() => process._linkedBinding('x')), dlopen: err(() => process.dlopen({}, 'x.node')),
        same: globalThis[Symbol.for('mini-lambda.node')]('process') === process,
        builtin: [typeof process.getBuiltinModule('node:events'),
          process.getBuiltinModule('events') === globalThis[Symbol.for('mini-lambda.node')]('events'),
          process.getBuiltinModule('fs'), process.getBuiltinModule('nope')],
      };
    }`)) as Record<string, unknown>;
    const versions = Object.fromEntries(
      Object.entries(got.versions as Record<string, string>).map(([k]) => [k, process.versions[k]]),
    );
    expect(got).toEqual({
      version: process.version,
      versions,
      arch: process.arch,
      platform: 'linux',
      release: { name: 'node' },
      title: 'node',
      argv: ['/var/lang/bin/node', '/var/task/index.js'],
      execArgv: [],
      pid: 8,
      ppid: 1,
      cwd: '/var/task',
      umask: 0o22,
      features: {},
      tag: '[object process]',
      chdir: ['Error', 'ERR_WORKER_UNSUPPORTED_OPERATION', expect.stringContaining('chdir')],
      binding: ['Error', 'ERR_INVALID_MODULE', 'No such module: fs'],
      linked: ['Error', 'ERR_INVALID_MODULE', 'No such module: x'],
      dlopen: ['Error', 'ERR_DLOPEN_FAILED', expect.any(String)],
      same: true,
      builtin: ['function', true, null, null],
    });
    expect(Object.keys(versions)).toEqual(expect.arrayContaining(['node', 'v8', 'uv', 'openssl']));
  });

  it('is the same object as node:process and process, imported or required', async () => {
    const source = `import p, { env, nextTick, hrtime } from 'node:process';
      import * as ns from 'process';
      export function handler() {
        const required = globalThis[Symbol.for('mini-lambda.node')]('process');
        return [p === globalThis.process, env === process.env, nextTick === process.nextTick,
          typeof hrtime.bigint, ns.default === p, required === p, typeof process.env.PATH];
      }`;
    expect(await run(source)).toEqual([true, true, true, 'function', true, true, 'undefined']);
  });

  it("prints warnings in Node's format, and stdout/stderr to the log", async () => {
    const calls = `
      process.emitWarning('hello');
      process.emitWarning('old api', 'DeprecationWarning', 'DEP0999');
      process.emitWarning(new Error('boom'));
      process.emitWarning('x', { type: 'MyWarning', code: 'C1', detail: 'some detail' });`;
    const fn = await deploy(`export function handler() {
      globalThis.console = { log() {}, warn() {}, error() {} }; // the log is not the global's
      ${calls}
      process.stdout.write('to stdout\\n');
      process.stderr.write(new TextEncoder().encode('to stderr'));
      return 1;
    }`);
    const out = await t.runtime.invoke(fn, 'null');
    const node = spawnSync(process.execPath, ['-e', calls], { encoding: 'utf8' });
    const expected = node.stderr
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('(Use `node --trace-warnings'))
      .map((line) => line.replace(/^\(node:\d+\)/, '(node:8)'));
    const lines = out.logs.text.split('\n');
    expect(lines.filter((l) => !l.startsWith('INFO ') && !l.startsWith('ERROR ')).join('\n')).toBe(
      expected.map((l) => (l.startsWith('(node:') ? `WARN ${l}` : l)).join('\n'),
    );
    expect(lines).toContain('INFO to stdout');
    expect(lines).toContain('ERROR to stderr');
  });
});
