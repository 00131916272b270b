import { afterAll, describe, expect, it } from 'vitest';
import { createTestRuntime, EXECUTION_MODES } from './harness.ts';

describe.each(EXECUTION_MODES)('%s execution', (execution) => {
  const t = createTestRuntime({ execution });
  afterAll(() => t.runtime.dispose());

  const probe = (name: string, expression: string) =>
    t.runtime.invoke(t.deploy(name, `export function handler() { return ${expression} }`), '');

  describe('isolation', () => {
    it.each([
      ['require', 'typeof require'],
      ['the Function constructor', '(function(){}).constructor("return typeof require")()'],
      ['an indirect eval', '(0, eval)("typeof require")'],
      [
        "the sandbox's process (process is the shim)",
        '[process.pid, process.env.PATH, typeof process.getuid].join() === "8,,undefined" ? "undefined" : "leak"',
      ],
      ['SharedArrayBuffer', 'typeof SharedArrayBuffer'],
      ['Atomics', 'typeof Atomics'],
      ['WebAssembly', 'typeof WebAssembly'],
      ['the isolated-vm module', 'typeof ivm'],
    ])('hides %s', async (_, expression) => {
      expect(await probe(`hides-${_.replace(/\W/g, '')}`, expression)).toMatchObject({
        ok: true,
        result: '"undefined"',
      });
    });

    it('leaves no host object reachable from the global', async () => {
      const out = await probe(
        'globals',
        `(() => {
          // Walks everything reachable from the global object (and the handler's own
          // arguments' prototypes) looking for isolated-vm's host handles.
          // Lazy globals (the web platform) are built first, so their objects are walked too.
          for (const k of Reflect.ownKeys(globalThis)) try { globalThis[k]; } catch {}
          const seen = new Set(), found = [], queue = [globalThis, console];
          while (queue.length && seen.size < 20000) {
            const v = queue.shift();
            if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) continue;
            seen.add(v);
            const tag = Object.prototype.toString.call(v) + ' ' + (typeof v === 'function' ? Function.prototype.toString.call(v).slice(0, 60) : '');
            if (/\\b(Reference|ExternalCopy|Callback|Isolate|Dereference)\\b/.test(tag)) found.push(tag);
            queue.push(Object.getPrototypeOf(v));
            for (const k of Reflect.ownKeys(v)) {
              const d = Object.getOwnPropertyDescriptor(v, k);
              for (const x of [d.value, d.get, d.set]) queue.push(x);
            }
          }
          return { found, walked: seen.size > 500 };
        })()`,
      );
      expect(out).toMatchObject({ ok: true, result: '{"found":[],"walked":true}' });
    });

    it('hands platform code loaded after user code nothing of the host, whatever it patched', async () => {
      // The fetch classes are loaded on first use, after this module replaced
      // Object.defineProperty: what they are handed, it sees.
      const fn = t.deploy(
        'steal-host',
        `const seen = [];
        const odp = Object.defineProperty;
        Object.defineProperty = function (o, k, d) {
          if (d && typeof d.get === 'function') {
            const g = d.get;
            d = { ...d, get() {
              const real = g();
              return typeof real !== 'function' ? real : function (...args) { seen.push(...args); return real.apply(this, args); };
            } };
          }
          return odp(o, k, d);
        };
        export async function handler() {
          try { await fetch('http://127.0.0.1:1/'); } catch {}
          return seen.some((v) => v !== null && typeof v === 'object' && typeof v.setTimer === 'function');
        }`,
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: true, result: 'false' });
    });

    it('shows a patched Function.prototype.call none of the prelude while chunks load', async () => {
      // Helpers esbuild emits for a lazy require() look `.call` up when they run, after user
      // code: the prelude loads its chunks by a direct call instead.
      const fn = t.deploy(
        'steal-loader',
        `const seen = [];
        const call = Function.prototype.call;
        export function handler() {
          Function.prototype.call = function (self, ...args) { seen.push(self, ...args); return Reflect.apply(this, self, args); };
          try {
            structuredClone({ a: 1 });
            new ReadableStream();
            new Response('x');
            new URLPattern({ pathname: '/x' });
            Buffer.from('x');
            globalThis[Symbol.for('mini-lambda.node')]('stream');
          } finally {
            Function.prototype.call = call;
          }
          const names = ['loadChunk', 'connectChunks', 'createLinker', 'connectBuiltins', 'host'];
          const leaked = seen.filter((v) => v !== null && typeof v === 'object' && names.some((n) => Object.getOwnPropertyDescriptor(v, n)));
          return { leaked: leaked.length, calls: seen.length > 0 };
        }`,
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({
        ok: true,
        result: '{"leaked":0,"calls":true}',
      });
    });

    it('shows patched built-ins no caller holding the prelude while every chunk loads', async () => {
      // Sloppy spies walk .caller and .arguments up from wherever the platform calls them,
      // looking for the linker's require (the way to host-access.js) or prelude internals.
      const fn = t.deploy(
        'steal-caller',
        `export function handler() {
          const found = [];
          const look = (v) => {
            if (typeof v === 'function') { try { const m = v('prelude/host-access.js'); if (m && m.host) found.push('require'); } catch {} }
            else if (v !== null && typeof v === 'object' && ['host', 'loadChunk', 'createLinker'].some((k) => Object.getOwnPropertyDescriptor(v, k))) found.push('internals');
          };
          const spyOn = (owner, key) => {
            const orig = owner[key];
            owner[key] = Function('orig', 'look', 'return function spy() { try { let f = spy.caller; for (let i = 0; i < 8 && f; i++) { try { for (const a of f.arguments) look(a); } catch {} try { f = f.caller; } catch { break; } } } catch {} return Reflect.apply(orig, this, arguments); }')(orig, look);
            return () => { owner[key] = orig; };
          };
          const undo = [
            [Object, 'getOwnPropertyNames'], [Object, 'getPrototypeOf'], [Object, 'defineProperty'],
            [Object, 'create'], [Object, 'keys'], [Object, 'assign'], [Object, 'freeze'],
            [Array.prototype, 'push'], [Array.prototype, 'forEach'], [Array.prototype, 'map'],
            [Function.prototype, 'call'], [Function.prototype, 'apply'], [Function.prototype, 'bind'],
          ].map(([o, k]) => spyOn(o, k));
          const load = globalThis[Symbol.for('mini-lambda.node')];
          try {
            for (const id of ['buffer', 'events', 'util', 'stream', 'crypto', 'zlib', 'assert', 'url', 'path', 'tty', 'async_hooks']) load(id);
            structuredClone({}); new ReadableStream(); new Headers(); new URLPattern({ pathname: '/' });
          } finally {
            for (const u of undo) u();
          }
          return found;
        }`,
      );
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: true, result: '[]' });
    });

    it('ends a call whose patched intrinsics loop while the platform loads, at its deadline', async () => {
      const fn = t.deploy(
        'loop-in-chunk',
        // It catches what the load throws and spins on: the load's time must not be added
        // to its own (isolated-vm pauses the outer call's timer during a nested call).
        'export function handler() { Object.defineProperty = function () { for (;;) {} }; try { new Response("x") } catch {} for (;;) {} }',
        { timeout_ms: 500 },
      );
      const other = t.deploy('bystander', 'export const handler = () => "fine"');
      const started = performance.now();
      expect(await t.runtime.invoke(fn, '')).toMatchObject({ ok: false, reason: 'timeout' });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await t.runtime.invoke(other, '')).toMatchObject({ ok: true, result: '"fine"' });
    });

    it('keeps the globals and prototype changes of one function from another', async () => {
      const writer = t.deploy(
        'writer',
        `export function handler() {
          globalThis.secret = 's3cret';
          Object.prototype.polluted = true;
          Array.prototype.map = () => 'hijacked';
          return 'written';
        }`,
      );
      const reader = t.deploy(
        'reader',
        `export function handler() {
          return [typeof secret, ({}).polluted === undefined, [1].map((x) => x + 1)[0]];
        }`,
      );
      expect(await t.runtime.invoke(writer, '')).toMatchObject({ ok: true, result: '"written"' });
      expect(await t.runtime.invoke(reader, '')).toMatchObject({
        ok: true,
        result: '["undefined",true,2]',
      });
    });

    it('keeps two versions of one function apart', async () => {
      const v1 = t.deploy(
        'versions',
        'globalThis.tag = "one"; export const handler = () => tag',
        {},
        1,
      );
      const v2 = t.deploy('versions', 'export const handler = () => typeof tag', {}, 2);
      expect(await t.runtime.invoke(v1, '')).toMatchObject({ ok: true, result: '"one"' });
      expect(await t.runtime.invoke(v2, '')).toMatchObject({ ok: true, result: '"undefined"' });
    });

    it('locks the Promise internals the host relies on', async () => {
      const fn = t.deploy(
        'tamper-promise',
        `export async function handler(e) {
          const refused = [];
          class Evil extends Promise { constructor(exec) { super(exec); throw new Error('x'.repeat(1e6)) } }
          for (const [target, key, value] of [
            [Promise.prototype, 'then', function () { return 'forged' }],
            [Promise.prototype, 'constructor', Evil],
          ]) {
            try { target[key] = value } catch (err) { refused.push(key + ': ' + err.name) }
          }
          try { Object.defineProperty(Promise, Symbol.species, { get: () => Evil }) } catch (err) { refused.push('species: ' + err.name) }
          await null;
          if (e === 'throw') throw new Error('real error');
          return refused;
        }`,
      );
      const first = await t.runtime.invoke(fn, '"go"');
      expect(first).toMatchObject({
        ok: true,
        result: '["then: TypeError","constructor: TypeError","species: TypeError"]',
      });
      const second = await t.runtime.invoke(fn, '"throw"');
      expect(second).toMatchObject({
        ok: false,
        reason: 'error',
        error: { message: 'real error' },
      });
    });

    it('still reports outcomes after the function replaces JSON and Array intrinsics', async () => {
      const fn = t.deploy(
        'tamper',
        `export function handler(e) {
          JSON.stringify = () => '"forged"';
          JSON.parse = () => 'forged';
          Array.prototype.push = () => 0;
          Array.prototype.join = () => 'forged';
          console.log('still captured');
          if (e === 'throw') throw new Error('real error');
          return { real: true };
        }`,
      );
      const first = await t.runtime.invoke(fn, '"go"');
      expect(first).toMatchObject({
        ok: true,
        result: '{"real":true}',
        logs: { text: 'INFO still captured' },
      });
      const second = await t.runtime.invoke(fn, '"throw"');
      expect(second).toMatchObject({
        ok: false,
        reason: 'error',
        error: { message: 'real error' },
      });
    });
  });
});
