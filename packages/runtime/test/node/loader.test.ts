import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

const o = createNodeOracle();
afterAll(() => o.dispose());

describe('the built-in module loader', () => {
  it('gives ESM imports and require the shapes Node gives', async () => {
    await o.same(`
      import EventEmitter, { once } from 'node:events';
      import * as events from 'events';
      import { Buffer } from 'buffer';
      export async function handler() {
        return [typeof EventEmitter, typeof once, events.default === EventEmitter,
          EventEmitter.EventEmitter === EventEmitter, Buffer.from('hi').toString('hex'),
          Buffer === globalThis.Buffer];
      }`);
  });

  it('loads one copy of each built-in per isolate', async () => {
    expect(
      await o.inIsolate(`
        import a from 'node:events';
        import { Buffer } from 'node:buffer';
        export async function handler() {
          const load = globalThis[Symbol.for('mini-lambda.node')];
          return [load('events') === a, load('node:events') === a, load('buffer').Buffer === Buffer];
        }`),
    ).toEqual([true, true, true]);
  });

  it('refuses an unknown built-in as Node does, and cannot be replaced', async () => {
    expect(
      await o.inIsolate(`
        export async function handler() {
          const key = Symbol.for('mini-lambda.node');
          const load = globalThis[key];
          const err = (f) => { try { f(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };
          return [
            err(() => load('fs')), err(() => load('constructor')), err(() => load('__proto__')),
            err(() => load(1)),
            Reflect.defineProperty(globalThis, key, { value: 1 }), Object.keys(globalThis).includes(key),
            err(() => { globalThis[key] = 2; }), globalThis[key] === load,
          ];
        }`),
    ).toEqual([
      ['Error', 'ERR_UNKNOWN_BUILTIN_MODULE', 'No such built-in module: node:fs'],
      ['Error', 'ERR_UNKNOWN_BUILTIN_MODULE', 'No such built-in module: node:constructor'],
      ['Error', 'ERR_UNKNOWN_BUILTIN_MODULE', 'No such built-in module: node:__proto__'],
      ['Error', 'ERR_UNKNOWN_BUILTIN_MODULE', 'No such built-in module: node:1'],
      false,
      false,
      [
        'TypeError',
        null,
        "Cannot assign to read only property 'Symbol(mini-lambda.node)' of object '#<Object>'",
      ],
      true,
    ]);
  });
});
