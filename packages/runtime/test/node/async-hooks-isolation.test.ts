import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvocationOutcome, OutboundRequest, OutboundResponse } from '@mini-lambda/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessRuntime, runtimeLimits } from '../../src/index.ts';
import { createBundles, EXECUTION_MODES } from '../harness.ts';
import { bundleLowered, createLoweredOracle } from './async-hooks-lowering.ts';
import { inNode } from './harness.ts';

const resultOf = (out: InvocationOutcome) => {
  if (!out.ok) throw new Error(`the invocation failed: ${out.reason}: ${out.message}`);
  return JSON.parse(out.result) as unknown;
};

describe('AsyncLocalStorage across fetch', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      // Answers in reverse order of a `wait` query: the later request answers first.
      const wait = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('wait') ?? 0);
      setTimeout(() => res.end(JSON.stringify({ path: req.url })), wait);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The runtime's outbound client is its dependency; Node's fetch to the loopback server
  // plays it here.
  async function outbound(
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<OutboundResponse> {
    const res = await fetch(request.url, { method: request.method, signal });
    return {
      status: res.status,
      statusText: res.statusText,
      headers: [...res.headers],
      url: res.url,
      redirected: res.redirected,
      body: new Uint8Array(await res.arrayBuffer()),
    };
  }

  const { loadCode, deploy } = createBundles();

  it.each(EXECUTION_MODES)(
    'keeps each store across fetch and its body (%s execution)',
    async (execution) => {
      const runtime = createInProcessRuntime(
        { loadCode, fetch: (_call, request, signal) => outbound(request, signal) },
        runtimeLimits({ execution }),
      );
      try {
        const source = `
        import { AsyncLocalStorage } from 'node:async_hooks';
        const als = new AsyncLocalStorage();
        const get = () => als.getStore();
        export async function handler(event) {
          const one = (name, wait) => als.run(name, async () => {
            const res = await fetch(event.base + '/' + name + '?wait=' + wait);
            const afterFetch = get();
            const body = await res.json();
            return [body.path, afterFetch, get(), await fetch(event.base + '/again').then((r) => get())];
          });
          return Promise.all([one('slow', 40), one('fast', 1)]);
        }`;
        const expected = [
          ['/slow?wait=40', 'slow', 'slow', 'slow'],
          ['/fast?wait=1', 'fast', 'fast', 'fast'],
        ];
        expect(await inNode(source, { base })).toEqual(expected);
        const fn = deploy(`als-fetch-${execution}`, await bundleLowered(source));
        expect(resultOf(await runtime.invoke(fn, JSON.stringify({ base })))).toEqual(expected);
      } finally {
        await runtime.dispose();
      }
    },
  );
});

describe.each(EXECUTION_MODES)(
  'AsyncLocalStorage between invocations, %s execution',
  (execution) => {
    const o = createLoweredOracle({ execution });
    afterAll(() => o.dispose());

    it('starts every invocation empty; a callback of an earlier one keeps its own store', async () => {
      const fn = await o.deploy(`
      import { AsyncLocalStorage } from 'node:async_hooks';
      const als = new AsyncLocalStorage();
      let n = 0;
      let release;
      const crossed = [];
      export async function handler() {
        n++;
        const start = als.getStore() ?? null;
        // Never exited: it lasts for the rest of this invocation only.
        als.enterWith('inv' + n);
        queueMicrotask(() => als.enterWith('micro' + n));
        // A callback registered by the previous invocation runs now, in its own store,
        // and what it enters does not stay.
        release?.();
        await null;
        await new Promise((resolve) => setTimeout(resolve, 1));
        const after = als.getStore();
        new Promise((resolve) => { release = resolve; }).then(() => {
          crossed.push(als.getStore());
          als.enterWith('hijack');
        });
        setTimeout(() => als.enterWith('late timer'), 0);
        return { n, start, after, crossed: [...crossed], inside: als.getStore() };
      }`);
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(resultOf(await o.runtime.invoke(fn, '')));
      expect(outcomes).toEqual([
        { n: 1, start: null, after: 'inv1', crossed: [], inside: 'inv1' },
        { n: 2, start: null, after: 'inv2', crossed: ['inv1'], inside: 'inv2' },
        { n: 3, start: null, after: 'inv3', crossed: ['inv1', 'inv2'], inside: 'inv3' },
      ]);
    });

    it('keeps Promise.prototype.then the intrinsic one in every way user code can see', async () => {
      const source = `
      import { AsyncLocalStorage } from 'node:async_hooks';
      const als = new AsyncLocalStorage();
      const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
      export async function handler() {
        const then = Promise.prototype.then;
        const d = Object.getOwnPropertyDescriptor(Promise.prototype, 'then');
        class Sub extends Promise {}
        const sub = als.run('s', () => Sub.resolve(1).then((v) => [v, als.getStore()]));
        return [
          then.name, then.length, d.enumerable, typeof then,
          err(() => new then(() => {})), err(() => then.call({}, () => {})),
          err(() => then.call(1)), sub instanceof Sub, await sub,
          await Promise.resolve(2).then(undefined, null), await Promise.reject(3).then(null, (e) => e),
          await Promise.resolve(4).then(5, 6),
        ];
      }`;
      const expected = [
        'then',
        2,
        false,
        'function',
        'TypeError',
        'TypeError',
        'TypeError',
        true,
        [1, 's'],
        2,
        3,
        4,
      ];
      expect(await inNode(source)).toEqual(expected);
      expect(await o.inIsolate(source)).toEqual(expected);
    });

    it('cannot be unhooked by user code, and replaced built-ins do not reach it', async () => {
      const fn = await o.deploy(`
      import { AsyncLocalStorage } from 'node:async_hooks';
      const als = new AsyncLocalStorage();
      const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
      export async function handler(event) {
        const attempts = [
          err(() => { Promise.prototype.then = function () {}; }),
          err(() => Object.defineProperty(Promise.prototype, 'then', { value: () => {} })),
          Reflect.deleteProperty(Promise.prototype, 'then'),
          err(() => { Promise.prototype.constructor = Object; }),
        ];
        // What the context is built of, replaced: it captured its own copies before.
        for (const k of ['get', 'set', 'has', 'delete', 'forEach']) Map.prototype[k] = () => { throw new Error('hijacked ' + k); };
        Reflect.apply = () => { throw new Error('hijacked apply'); };
        const store = await als.run(event.id, async () => {
          await null;
          await new Promise((resolve) => setTimeout(resolve, 1));
          return als.getStore();
        });
        // A real promise handed back through a replaced global Promise still settles.
        const Real = Promise;
        globalThis.Promise = function Fake() { throw new Error('fake'); };
        globalThis.Promise.resolve = () => ({ then() {} });
        return new Real((resolve) => setTimeout(() => resolve({ attempts, store }), 1));
      }`);
      expect(resultOf(await o.runtime.invoke(fn, '{"id":"a"}'))).toEqual({
        attempts: ['TypeError', 'TypeError', false, 'TypeError'],
        store: 'a',
      });
    });

    it('hands the host a rejection made inside a store as the function error', async () => {
      const fn = await o.deploy(`
      import { AsyncLocalStorage } from 'node:async_hooks';
      const als = new AsyncLocalStorage();
      export function handler() {
        return als.run('r', async () => { await null; throw new RangeError('in ' + als.getStore()); });
      }`);
      expect(await o.runtime.invoke(fn, '')).toMatchObject({
        ok: false,
        reason: 'error',
        error: { name: 'RangeError', message: 'in r' },
      });
    });

    it('ends thenables that never settle or resolve forever within the timeout; the runtime stays whole', async () => {
      const head = `import { AsyncLocalStorage } from 'node:async_hooks';
      const als = new AsyncLocalStorage();`;
      const never = await o.deploy(
        `${head}
      export function handler() { return als.run('x', () => ({ then() {} })); }`,
        { timeout_ms: 300 },
      );
      const recursive = await o.deploy(
        `${head}
      export function handler() { const t = { then(resolve) { resolve(t); } }; return als.run('x', () => t); }`,
        { timeout_ms: 300 },
      );
      const chain = await o.deploy(
        `${head}
      export async function handler() { const loop = () => Promise.resolve().then(loop); als.run('x', loop); await new Promise(() => {}); }`,
        { timeout_ms: 300 },
      );
      for (const fn of [never, recursive, chain]) {
        const out = await o.runtime.invoke(fn, '');
        expect(out).toMatchObject({ ok: false, reason: 'timeout' });
      }
      const fine = await o.deploy(`${head}
      export async function handler() {
        const before = als.getStore() ?? null;
        return [before, await als.run('ok', async () => { await null; return als.getStore(); })];
      }`);
      expect(resultOf(await o.runtime.invoke(fine, ''))).toEqual([null, 'ok']);
    });
  },
);
