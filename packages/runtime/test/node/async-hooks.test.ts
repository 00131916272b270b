import { afterAll, describe, expect, it } from 'vitest';
import { EXECUTION_MODES } from '../harness.ts';
import { createLoweredOracle } from './async-hooks-lowering.ts';

// Each case runs in Node 24 (native await, Node's AsyncLocalStorage) and lowered in an
// isolate; both must observe the same stores, and that is checked against the value the
// case is written to produce, so a case where both lost the store would fail too.
const HEAD = `
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
const als = new AsyncLocalStorage();
const get = () => als.getStore();
const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));
`;

describe.each(EXECUTION_MODES)('AsyncLocalStorage, %s execution', (execution) => {
  const o = createLoweredOracle({ execution });
  afterAll(() => o.dispose());

  async function expectSame(body: string, expected: unknown) {
    const { node, isolate } = await o.both(`${HEAD}\n${body}`);
    expect(node).toEqual(expected);
    expect(isolate).toEqual(node);
  }

  it('nests run() and restores the outer store after it returns or throws', async () => {
    await expectSame(
      `export async function handler() {
        const seen = [get()];
        const r = als.run('a', () => {
          seen.push(get());
          als.run('b', () => seen.push(get()));
          seen.push(get(), als.exit(() => get()), get());
          return 'ret';
        });
        seen.push(r, get());
        try { als.run('c', () => { throw new Error('boom'); }); } catch (e) { seen.push(e.message, get()); }
        seen.push(als.run('d', (x, y) => x + y + get(), 1, 2));
        return seen;
      }`,
      [null, 'a', 'b', 'a', null, 'a', 'ret', null, 'boom', null, '3d'],
    );
  });

  it('keeps the store across many awaits, timers and promise combinators', async () => {
    await expectSame(
      `export async function handler() {
        return als.run({ id: 1 }, async () => {
          const seen = [get().id];
          await null; seen.push(get().id);
          await Promise.resolve(); seen.push(get().id);
          await tick(5); seen.push(get().id);
          await Promise.all([tick(), Promise.resolve(2)]); seen.push(get().id);
          await Promise.race([tick(), tick(3)]); seen.push(get().id);
          await Promise.allSettled([Promise.reject(new Error('x'))]); seen.push(get().id);
          seen.push(await (async () => { await tick(); return get().id; })());
          await { then(resolve) { resolve(); } }; seen.push(get().id);
          await Promise.resolve().then(() => seen.push(get().id)).finally(() => seen.push(get().id));
          return seen;
        });
      }`,
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    );
  });

  it('runs setTimeout, setInterval, setImmediate and queueMicrotask callbacks in the store they were scheduled in', async () => {
    await expectSame(
      `export async function handler() {
        const seen = [];
        await new Promise((done) => {
          als.run('timeout', () => setTimeout((x) => seen.push([x, get()]), 1, 'arg'));
          als.run('micro', () => queueMicrotask(() => seen.push(['micro', get()])));
          als.run('immediate', () => setImmediate(() => seen.push(['immediate', get()])));
          als.run('interval', () => {
            let n = 0;
            const id = setInterval(() => { seen.push(['interval', get()]); if (++n === 2) clearInterval(id); }, 1);
          });
          setTimeout(() => { seen.push(['outside', get()]); done(); }, 30);
        });
        return seen.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      }`,
      [
        ['arg', 'timeout'],
        ['immediate', 'immediate'],
        ['interval', 'interval'],
        ['interval', 'interval'],
        ['micro', 'micro'],
        ['outside', null],
      ],
    );
  });

  it('carries the store through process.nextTick, timers/promises and events.once', async () => {
    await expectSame(
      `import { setTimeout as sleep, setImmediate as immediate } from 'node:timers/promises';
      import { once, EventEmitter } from 'node:events';
      export async function handler() {
        const seen = [];
        await new Promise((resolve) => {
          als.run('tick', () => process.nextTick((a) => { seen.push([a, get()]); resolve(); }, 'arg'));
        });
        await als.run('promises', async () => {
          await sleep(1); seen.push(get());
          await immediate(); seen.push(get());
          const e = new EventEmitter();
          setTimeout(() => e.emit('go', 1), 1);
          seen.push(await once(e, 'go'), get());
        });
        return seen;
      }`,
      [['arg', 'tick'], 'promises', 'promises', [1], 'promises'],
    );
  });

  it('does not mix the stores of concurrent runs whose awaits interleave', async () => {
    await expectSame(
      `export async function handler() {
        const log = [];
        const task = (name, delays) => als.run(name, async () => {
          for (const ms of delays) {
            await tick(ms); log.push(name + '=' + get());
            await null; log.push(name + '=' + get());
            await Promise.resolve(); log.push(name + '=' + get());
          }
          return get();
        });
        const microtasks = (name) => als.run(name, async () => {
          const seen = [];
          for (let i = 0; i < 5; i++) { await null; seen.push(get()); }
          return seen.join();
        });
        const results = await Promise.all([task('A', [5, 1, 5]), task('B', [1, 5, 1]), microtasks('C'), microtasks('D')]);
        return { results, mixed: log.filter((entry) => { const [a, b] = entry.split('='); return a !== b; }), count: log.length, after: get() ?? null };
      }`,
      { results: ['A', 'B', 'C,C,C,C,C', 'D,D,D,D,D'], mixed: [], count: 18, after: null },
    );
  });

  it('enterWith holds for the rest of the synchronous part and what it schedules', async () => {
    await expectSame(
      `export async function handler() {
        const seen = [];
        als.enterWith('top');
        await null; seen.push(get());
        await als.run('outer', async () => {
          als.enterWith('entered'); seen.push(get());
          await tick(); seen.push(get());
          await new Promise((resolve) => setTimeout(() => { seen.push(get()); resolve(); }, 1));
        });
        seen.push(get());
        als.enterWith(undefined); seen.push(get());
        return seen;
      }`,
      ['top', 'entered', 'entered', 'entered', 'top', null],
    );
  });

  it('keeps the store in catch and finally after a rejection', async () => {
    await expectSame(
      `export async function handler() {
        return als.run('e', async () => {
          const seen = [];
          try { await Promise.reject(new Error('x')); } catch { seen.push(get()); }
          try { await new Promise((_, reject) => setTimeout(() => reject(new Error('t')), 1)); } catch (e) { seen.push(e.message, get()); }
          try { await (async () => { await tick(); throw new Error('inner'); })(); } catch (e) { seen.push(e.message, get()); } finally { seen.push(get()); }
          await Promise.reject(new Error('c')).catch(() => seen.push(get()));
          const thrown = await als.run('f', async () => { await null; throw new Error('f'); }).catch((e) => [e.message, get()]);
          seen.push(thrown);
          return seen;
        });
      }`,
      ['e', 't', 'e', 'inner', 'e', 'e', 'e', ['f', 'e']],
    );
  });

  it('carries the store through an async generator and for await', async () => {
    await expectSame(
      `async function* gen() {
        yield get();
        await tick(); yield get();
        await null; yield get();
      }
      export async function handler() {
        const out = await als.run('g', async () => {
          const out = [];
          for await (const v of gen()) out.push(v, get());
          for await (const v of [Promise.resolve(1), tick().then(() => 2)]) out.push(v, get());
          return out;
        });
        const it = als.run('made', () => gen());
        const pulled = await als.run('pulled', async () => (await it.next()).value);
        return [out, pulled];
      }`,
      [['g', 'g', 'g', 'g', 'g', 'g', 1, 'g', 2, 'g'], 'pulled'],
    );
  });

  it('binds functions and resources to the store current when they were made', async () => {
    await expectSame(
      `export async function handler() {
        const bound = als.run('x', () => AsyncLocalStorage.bind((a) => [a, get()]));
        const snapshot = als.run('y', () => AsyncLocalStorage.snapshot());
        const resource = als.run('z', () => new AsyncResource('R'));
        const method = resource.bind(function (a) { return [this && this.k, a, get()]; });
        const withThis = resource.bind(function () { return [this.k, get()]; }, { k: 'fixed' });
        const later = await als.run('w', async () => { await tick(); return [bound(1), snapshot((a, b) => [a, b, get()], 2, 3)]; });
        return [
          bound(0), snapshot(() => get()), resource.runInAsyncScope(function (a) { return [this.k, a, get()]; }, { k: 't' }, 'arg'),
          method.call({ k: 1 }, 'm'), withThis(), method.length, Object.keys(method), later,
          als.run('outer', () => resource.runInAsyncScope(() => get())), get(),
          AsyncResource.bind(() => get())(), als.run('s', () => AsyncResource.bind(() => get()))(),
        ];
      }`,
      [
        [0, 'x'],
        'y',
        ['t', 'arg', 'z'],
        [1, 'm', 'z'],
        ['fixed', 'z'],
        1,
        ['asyncResource'],
        [
          [1, 'x'],
          [2, 3, 'y'],
        ],
        'z',
        null,
        null,
        's',
      ],
    );
  });

  it('honours defaultValue, name, disable() and several storages at once', async () => {
    await expectSame(
      `export async function handler() {
        const other = new AsyncLocalStorage({ defaultValue: 'dflt', name: 'other' });
        const seen = [other.getStore(), other.name, als.name];
        await als.run(1, () => other.run(2, async () => {
          await tick(); seen.push([get(), other.getStore()]);
          await als.run(3, async () => { await null; seen.push([get(), other.getStore()]); });
          seen.push([get(), other.getStore()]);
          als.disable(); seen.push([get(), other.getStore()]);
          await null; seen.push([get(), other.getStore()]);
        }));
        seen.push(als.run(4, () => get()), other.getStore());
        const scope = als.withScope('scoped'); seen.push(get()); scope.dispose(); seen.push(get());
        return seen;
      }`,
      [
        'dflt',
        'other',
        '',
        [1, 2],
        [3, 2],
        [1, 2],
        [null, 2],
        [null, 2],
        4,
        'dflt',
        'scoped',
        null,
      ],
    );
  });
});

describe('node:async_hooks module', () => {
  const o = createLoweredOracle();
  afterAll(() => o.dispose());

  it('has the shape and argument checks of Node 24', async () => {
    const { node, isolate } = await o.both(`
      import * as ns from 'node:async_hooks';
      import hooks from 'async_hooks';
      const err = (f) => { try { f(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };
      export async function handler() {
        const { AsyncLocalStorage, AsyncResource, createHook } = hooks;
        const hook = createHook({ init() {}, destroy() {} });
        const r = new AsyncResource('T', { triggerAsyncId: 7 });
        return {
          keys: Object.keys(hooks).sort(), nsSame: ns.AsyncLocalStorage === AsyncLocalStorage,
          types: [typeof hooks.executionAsyncId(), typeof hooks.triggerAsyncId(), typeof hooks.executionAsyncResource()],
          hook: [hook.enable() === hook, hook.disable() === hook, Object.getOwnPropertyNames(Object.getPrototypeOf(hook)).sort()],
          resource: [typeof r.asyncId(), r.triggerAsyncId(), r.emitDestroy() === r, new AsyncResource('N', 5).triggerAsyncId()],
          providers: [Object.isFrozen(hooks.asyncWrapProviders), hooks.asyncWrapProviders.PROMISE, Object.keys(hooks.asyncWrapProviders).length],
          storageMethods: Object.getOwnPropertyNames(AsyncLocalStorage.prototype).sort(),
          storageStatics: ['bind', 'snapshot'].map((k) => typeof AsyncLocalStorage[k]),
          resourceMethods: Object.getOwnPropertyNames(AsyncResource.prototype).sort(),
          errors: [
            err(() => new AsyncResource(1)), err(() => new AsyncResource('x', -2)), err(() => new AsyncResource('x', 1.5)),
            err(() => new AsyncLocalStorage(null)), err(() => new AsyncLocalStorage('x')),
            err(() => createHook({ init: 1 })), err(() => r.bind('s')), err(() => r.bind({})), err(() => r.bind(null)),
            err(() => new AsyncLocalStorage().run(1, 5)),
          ].map((e) => e.slice(0, 2).concat(e[0] === 'TypeError' && e[1] === undefined ? [] : [e[2]])),
          snapshotShape: [AsyncLocalStorage.snapshot().length, typeof AsyncLocalStorage.bind(() => 1)],
          inResource: r.runInAsyncScope(() => [hooks.executionAsyncId() === r.asyncId(), hooks.triggerAsyncId(), hooks.executionAsyncResource() === r]),
        };
      }`);
    expect(node).toMatchObject({
      keys: [
        'AsyncLocalStorage',
        'AsyncResource',
        'asyncWrapProviders',
        'createHook',
        'executionAsyncId',
        'executionAsyncResource',
        'triggerAsyncId',
      ],
      inResource: [true, 7, true],
    });
    expect(isolate).toEqual(node);
  });
});
