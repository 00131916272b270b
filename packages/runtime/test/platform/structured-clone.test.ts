import { afterAll, describe, expect, it } from 'vitest';
import { createOracle, inNode } from './oracle.ts';

// structuredClone in an isolate against Node's (V8's serializer): each clone is described
// as JSON (class, prototype, contents, which objects are the same one) and compared.
const o = createOracle();
afterAll(() => o.dispose());

const HELPERS = `
  const err = (e) => ({ name: e.name, code: e.code, message: e.message, isDOMException: e instanceof DOMException });
  const run = (f) => { try { return f(); } catch (e) { return err(e); } };
  const shape = (root) => {
    const ids = new Map();
    const walk = (v) => {
      if (typeof v === 'bigint') return { bigint: String(v) };
      if (typeof v === 'number' && (Object.is(v, -0) || !Number.isFinite(v))) return { number: Object.is(v, -0) ? '-0' : String(v) };
      if (v === undefined) return { undefined: true };
      if (v === null || typeof v !== 'object') return v;
      if (ids.has(v)) return { ref: ids.get(v) };
      ids.set(v, ids.size);
      const proto = Object.getPrototypeOf(v);
      const out = { id: ids.get(v), tag: Object.prototype.toString.call(v), ctor: proto === null ? null : proto.constructor.name };
      if (v instanceof Map) out.entries = [...v].map(([k, x]) => [walk(k), walk(x)]);
      else if (v instanceof Set) out.values = [...v].map(walk);
      else if (v instanceof Date) out.time = String(v.getTime());
      else if (v instanceof RegExp) out.regexp = [v.source, v.flags, v.lastIndex];
      else if (v instanceof DataView) out.view = [v.byteOffset, v.byteLength, walk(v.buffer)];
      else if (ArrayBuffer.isView(v)) out.view = [v.byteOffset, v.length, walk(v.buffer), Array.from(v, String)];
      else if (v instanceof ArrayBuffer) out.buffer = [v.byteLength, v.resizable, v.maxByteLength, v.detached, Array.from(new Uint8Array(v))];
      else if (v instanceof DOMException) out.dom = [v.name, v.message, v.code];
      else if (v instanceof Error) out.error = [v.name, v.message, Object.getOwnPropertyNames(v), 'cause' in v ? walk(v.cause) : 'no cause'];
      else if (v instanceof Boolean || v instanceof Number || v instanceof String || v instanceof BigInt) out.value = walk(v.valueOf());
      out.keys = Reflect.ownKeys(v).filter((k) => typeof k === 'string' && !(v instanceof Error && (k === 'stack' || k === 'message' || k === 'cause')))
        .map((k) => [k, Object.getOwnPropertyDescriptor(v, k).enumerable, 'value' in Object.getOwnPropertyDescriptor(v, k) ? walk(v[k]) : 'accessor']);
      if (Array.isArray(v)) out.length = v.length;
      return out;
    };
    return walk(root);
  };
  const same = (value, options) => run(() => shape(structuredClone(value, options)));
`;

describe('structuredClone', () => {
  it('clones primitives, wrappers, dates and regular expressions as Node does', async () => {
    await o.same(`${HELPERS}
      const re = /a+(?<n>b)/gimsuy; re.lastIndex = 3; re.extra = 1;
      return [1, -0, NaN, Infinity, 'str', true, null, undefined, 10n ** 30n,
        new Boolean(false), new Number(-0), new String('ab'), Object(12n),
        new Date(0), new Date(NaN), new Date(8.64e15), re, /x/d, /[\\p{L}--[a-z]]/v,
      ].map((v) => same(v));`);
  });

  it('clones objects and arrays: own enumerable properties, holes, extra keys, getters run', async () => {
    await o.same(`${HELPERS}
      const arr = [1, , 3]; arr.extra = 'e'; arr[10] = 'far';
      const sparse = []; sparse[1e6] = 1;
      class Point { constructor() { this.x = 1; } get y() { return 2; } }
      const hidden = { a: 1 }; Object.defineProperty(hidden, 'h', { value: 2, enumerable: false });
      hidden[Symbol('s')] = 3;
      const getter = { get g() { return 'computed'; }, 2: 'two', b: 'b', 1: 'one' };
      const deleting = { get a() { delete this.b; return 1; }, b: 2, c: 3 };
      const proto = JSON.parse('{"__proto__": {"p": 1}, "q": 2}');
      const dense = Array.from({ length: 3000 }, (_, i) => i % 7 ? i : { i });
      dense.extra = 'e';
      delete dense[1500];
      const huge = [];
      huge[2 ** 32 - 2] = 'last';
      huge.x = 1;
      return [same({}), same(Object.create(null)), same(arr), same(sparse).length, same(new Point()), same(hidden),
        same(getter), same(deleting), same(proto), same(Math), same([[[]]]), same(dense), same(huge)];`);
  });

  it('keeps cycles and shared references, through maps and sets', async () => {
    await o.same(`${HELPERS}
      const shared = { s: 1 };
      const root = { a: shared, b: shared, m: new Map(), set: new Set() };
      root.self = root;
      root.m.set(root, root.set).set('k', shared);
      root.set.add(root).add(shared);
      const list = [root, root.m];
      list.push(list);
      return same(list);`);
  });

  it('clones buffers and views, sharing a buffer as the original did', async () => {
    await o.same(`${HELPERS}
      const ab = new ArrayBuffer(16);
      new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
      const views = [new Uint8Array(ab, 2, 4), new Int16Array(ab, 4, 2), new DataView(ab, 1, 3), new Float64Array(ab, 8),
        new BigInt64Array(ab, 0, 1), new Uint8ClampedArray(ab), new Float32Array(ab, 12)];
      const growable = new ArrayBuffer(8, { maxByteLength: 32 });
      const tracking = new Uint16Array(growable);
      const fixed = new Uint16Array(growable, 2, 1);
      const full = new ArrayBuffer(8, { maxByteLength: 8 });
      new Uint8Array(full).set([9, 8, 7, 6, 5, 4, 3, 2]);
      const fullTracking = new Uint32Array(full, 4);
      const fullFixed = new Uint32Array(full, 4, 1);
      const c = structuredClone({ tracking, fixed, fullTracking, fullFixed });
      c.tracking.buffer.resize(16);
      c.fullTracking.buffer.resize(4);
      return [same({ ab, views }), same(new ArrayBuffer(0)), same({ tracking, fixed }),
        [c.tracking.length, c.fixed.length, c.fullTracking.length, c.fullFixed.length, Array.from(new Uint8Array(full))],
        typeof Float16Array === 'function' ? same(new Float16Array([1.5, 2])) : 'no Float16Array'];`);
  });

  it('clones errors of the standard classes, their message, stack and cause', async () => {
    await o.same(`${HELPERS}
      const cases = [new Error('plain'), new RangeError('r', { cause: { deep: [1] } }), new TypeError(),
        new SyntaxError('s'), new EvalError('e'), new ReferenceError('x'), new URIError('u'), new AggregateError([1], 'agg')];
      const renamed = new Error('renamed'); renamed.name = 'TypeError';
      const unknown = new TypeError('unknown'); unknown.name = 'MyError';
      class MyError extends Error {}
      const noStack = new Error('no stack'); delete noStack.stack;
      const numStack = new Error('num'); numStack.stack = 42;
      const numMessage = new Error('m'); numMessage.message = 42;
      const getterMessage = new Error('m'); Object.defineProperty(getterMessage, 'message', { get() { return 'g'; } });
      const getterCause = new Error('c'); Object.defineProperty(getterCause, 'cause', { get() { return 'g'; } });
      const extra = new Error('extra'); extra.code = 'E';
      const cyclic = new Error('cyclic'); cyclic.cause = cyclic;
      const all = [...cases, renamed, unknown, new MyError('mine'), noStack, numStack, numMessage, getterMessage, getterCause, extra, cyclic];
      return [all.map((e) => same(e)), cases.map((e) => structuredClone(e).stack === e.stack),
        same(Object.create(TypeError.prototype))];`);
  });

  it('clones a DOMException as a DOMException', async () => {
    await o.same(`${HELPERS}
      const d = new DOMException('gone', 'NotFoundError');
      const c = structuredClone(d);
      return [same(d), c.stack === d.stack, c instanceof DOMException, c !== d];`);
  });

  it("refuses what cannot be cloned with Node's DataCloneError", async () => {
    await o.same(`${HELPERS}
      function named(a) { return a; }
      class P extends Promise {}
      return [() => 1, named, Symbol('s'), { nested: Symbol() }, [Symbol.iterator], Object(Symbol('w')),
        new WeakMap(), new WeakSet(), new WeakRef({}), new FinalizationRegistry(() => {}), Promise.resolve(),
        new P(() => {}), new Map().keys(), [].values(), (function* () {})(), { f() {} }, globalThis,
      ].map((v) => run(() => structuredClone(v)));`);
  });

  it('transfers ArrayBuffers: the originals are detached, the clone keeps the bytes', async () => {
    await o.same(`${HELPERS}
      const ab = new ArrayBuffer(8);
      new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8]);
      const view = new Uint8Array(ab, 4);
      const c = structuredClone({ ab, view }, { transfer: [ab] });
      const after = [ab.detached, ab.byteLength, view.length, shape(c)];
      const d = new ArrayBuffer(4);
      const failed = run(() => structuredClone(() => 1, { transfer: [d] }));
      const detached = new ArrayBuffer(4); detached.transfer();
      return [after, failed, d.detached,
        run(() => structuredClone(1, { transfer: [d, d] })), d.detached,
        run(() => structuredClone(1, { transfer: [new Uint8Array(2)] })),
        run(() => structuredClone(1, { transfer: [{}] })),
        run(() => structuredClone(1, { transfer: [1] })),
        run(() => structuredClone(1, { transfer: 'ab' })),
        run(() => structuredClone(1, { transfer: null })),
        run(() => structuredClone(1, 5)),
        run(() => structuredClone(1, null)),
        run(() => structuredClone(1, { transfer: undefined })),
        run(() => structuredClone(1, { transfer: [detached] })),
        run(() => structuredClone(detached)),
        run(() => structuredClone())?.code,
        structuredClone.length, structuredClone.name];`);
  });
});

describe('where the isolate cannot do as Node does', () => {
  it('a Proxy is cloned through its traps (V8 refuses it; JS cannot tell a Proxy apart)', async () => {
    const body = `
      try { return structuredClone(new Proxy({ a: 1 }, {})); } catch (e) { return e.name; }`;
    expect(await o.inIsolate(body)).toEqual({ a: 1 });
    expect(await inNode(body)).toBe('DataCloneError');
  });
});
