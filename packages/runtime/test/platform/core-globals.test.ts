import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

// Every global of the core platform modules exists in an isolate and does one thing as
// Node does it: the end-to-end check that the prelude installs them.
const o = createOracle();
afterAll(() => o.dispose());

describe('core globals in an isolate', () => {
  it('are all there, with one behaviour each as in Node', async () => {
    const body = `
      const kinds = {};
      for (const name of ['DOMException', 'Event', 'EventTarget', 'CustomEvent', 'AbortController',
        'AbortSignal', 'structuredClone', 'atob', 'btoa', 'TextEncoder', 'TextDecoder',
        'TextEncoderStream', 'TextDecoderStream', 'URLPattern']) kinds[name] = typeof globalThis[name];
      kinds.performance = typeof performance.now;
      kinds.navigator = typeof navigator.userAgent;
      const t = new EventTarget();
      let heard = 0;
      t.addEventListener('x', (e) => { heard += e instanceof CustomEvent ? e.detail : 0; });
      t.dispatchEvent(new CustomEvent('x', { detail: 2 }));
      const c = new AbortController();
      c.abort();
      const clone = structuredClone({ m: new Map([[1, new Date(0)]]), s: new Set(['a']) });
      return {
        kinds,
        heard,
        dom: [new DOMException('m', 'NotFoundError').code, DOMException.ABORT_ERR],
        abort: [c.signal.aborted, c.signal.reason.name, AbortSignal.abort('r').reason],
        clone: [clone.m.get(1).getTime(), [...clone.s]],
        b64: [btoa('hello'), atob('aGVsbG8=')],
        text: [bytes(new TextEncoder().encode('é€')), new TextDecoder().decode(new Uint8Array([0xe2, 0x82, 0xac]))],
        pattern: new URLPattern({ pathname: '/books/:id' }).exec('https://x.test/books/7').pathname.groups,
        clock: typeof performance.timeOrigin === 'number' && performance.now() >= 0,
      };
    `;
    await o.same(body);
  });

  it('have the prototypes and statics of Node, member by member', async () => {
    // Keys, kinds, enumerable/configurable/writable flags. Node's own symbols (inspect)
    // are not part of the platform; Symbol.toStringTag is compared where Node has one.
    await o.same(`
      const NO_TAG_IN_NODE = ['TextEncoderStream', 'TextDecoderStream'];
      const members = (o, skip) => Reflect.ownKeys(o)
        .filter((k) => (typeof k === 'string' || k === Symbol.toStringTag) && !skip.includes(k))
        .map((k) => {
          const d = Object.getOwnPropertyDescriptor(o, k);
          const kind = 'value' in d ? typeof d.value : (d.get ? 'get' : '') + (d.set ? 'set' : '');
          return [String(k), kind, d.enumerable, d.configurable, d.writable ?? null];
        });
      const out = {};
      for (const name of ['DOMException', 'Event', 'EventTarget', 'CustomEvent', 'AbortController',
        'AbortSignal', 'TextEncoder', 'TextDecoder', 'TextEncoderStream', 'TextDecoderStream']) {
        const C = globalThis[name];
        out[name] = {
          proto: members(C.prototype, NO_TAG_IN_NODE.includes(name) ? [Symbol.toStringTag] : []),
          statics: members(C, ['length', 'name', 'prototype']),
          length: C.length,
          name: C.name,
          parent: Object.getPrototypeOf(C.prototype).constructor.name,
        };
      }
      out.functions = [structuredClone, atob, btoa].map((f) => [f.name, f.length]);
      return out;`);
  });

  it('self is the global object, and navigator says what runs the function', async () => {
    expect(await o.inIsolate('return [self === globalThis, navigator.userAgent]')).toEqual([
      true,
      'mini-lambda/0.1.0',
    ]);
  });
});
