import { afterAll, describe, expect, it } from 'vitest';
import { createNodeOracle } from './harness.ts';

// node:util, path, url, querystring, string_decoder and assert in an isolate against Node.
const o = createNodeOracle();
afterAll(() => o.dispose());

const ERR = `const err = (f) => { try { f(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };`;

describe('node:util', () => {
  it('inspects and formats a table of values as Node 24 does', async () => {
    await o.same(`
      import util from 'node:util';
      export async function handler() {
        class Point { constructor() { this.x = 1; this.y = [1, 2, { z: new Map([['k', new Set([1])]]) }]; } }
        const circular = { name: 'c' }; circular.self = circular;
        const values = [
          1, -0, 1n, 'str', "it's", Symbol('s'), null, undefined, true, [1, , 3], { a: { b: { c: { d: 1 } } } },
          new Point(), circular, new Date(0), /re/gi, new Error('boom').message, () => {}, function named() {},
          class K {}, new Map([[1, 2]]), new Set(['a']), new Uint8Array([1, 2]), new ArrayBuffer(2),
          new WeakMap(), Object.create(null), [new Array(200).fill(0)], 'x'.repeat(20000).length,
          { [Symbol('k')]: 1, 'a-b': 2 }, new Proxy({}, {}), [NaN, Infinity], Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
        ];
        return [
          values.map((v) => util.inspect(v)),
          util.inspect({ a: [1, 2, [3, [4, [5]]]] }, { depth: 0 }),
          util.inspect({ a: 1, b: 'x' }, { compact: false }),
          util.inspect('x'.repeat(120), { maxStringLength: 10 }),
          util.inspect({ [util.inspect.custom]: () => 'custom!' }),
          util.format('%s %d %i %f %j %o %O %%', 'a', 1.5, 2.7, '3.5', { j: 1 }, [1], { o: 1 }, 'extra'),
          util.format('no args'), util.format(1, 2, { a: 1 }), util.format('%s', { toString() { return 'ts'; } }),
          util.formatWithOptions({ compact: false }, '%O', { a: 1 }),
          util.inspect(new Error('e')).split('\\n')[0],
        ];
      }`);
  });

  it('promisifies and callbackifies as Node does', async () => {
    await o.same(`
      import { promisify, callbackify } from 'util';
      ${ERR}
      export async function handler() {
        const cb = (a, b, done) => setTimeout(() => (a < 0 ? done(new Error('neg')) : done(null, a + b)), 1);
        const p = promisify(cb);
        const custom = function () {};
        custom[promisify.custom] = () => Promise.resolve('custom');
        const results = [await p(1, 2), await p(-1, 2).catch((e) => e.message), await promisify(custom)(),
          promisify(custom) === custom[promisify.custom], promisify.custom === Symbol.for('nodejs.util.promisify.custom'),
          err(() => promisify(1))];
        const f = callbackify(async (x) => { if (x === 0) throw null; return x * 2; });
        results.push(await new Promise((r) => f(21, (e, v) => r([e, v]))));
        results.push(await new Promise((r) => f(0, (e) => r([e.message, e.code, e.reason]))));
        results.push(f.name, f.length);
        return results;
      }`);
  });

  it('has types, inherits, deprecate, isDeepStrictEqual, TextEncoder and debuglog', async () => {
    await o.same(`
      import util from 'node:util';
      import types from 'node:util/types';
      export async function handler() {
        const values = [new Date(), /x/, new Map(), new Set(), new Uint8Array(1), new ArrayBuffer(1), Promise.resolve(),
          new Boolean(true), true, new String('s'), async () => {}, function* g() {}, new DataView(new ArrayBuffer(1)),
          new Error('e'), { [Symbol.toStringTag]: 'Date' }, new WeakMap(), (function () { return arguments; })()];
        const checks = ['isDate', 'isRegExp', 'isMap', 'isSet', 'isUint8Array', 'isTypedArray', 'isArrayBuffer',
          'isPromise', 'isBooleanObject', 'isBoxedPrimitive', 'isAsyncFunction', 'isGeneratorFunction', 'isDataView',
          'isNativeError', 'isWeakMap', 'isArgumentsObject', 'isArrayBufferView', 'isAnyArrayBuffer'];
        const deprecated = util.deprecate((x) => x + 1, 'old', 'DEP_TEST');
        const log = util.debuglog('test');
        return [
          checks.map((c) => values.map((v) => types[c](v))), util.types === types,
          deprecated(1), typeof log, log.enabled,
          util.isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
          util.isDeepStrictEqual({ a: 1 }, { a: '1' }), util.isDeepStrictEqual(new Set([1, 2]), new Set([2, 1])),
          util.isDeepStrictEqual([1, 2], [1, 2, 3]), util.isDeepStrictEqual(NaN, NaN),
          new util.TextEncoder().encode('é').length, new util.TextDecoder().decode(new Uint8Array([0xc3, 0xa9])),
          util.isArray([]), util.toUSVString('a\\ud800'), util.stripVTControlCharacters('\\u001b[31mred\\u001b[0m'),
        ];
      }`);
  });
});

describe('node:path', () => {
  it('joins, resolves and normalizes a table as Node does', async () => {
    await o.same(`
      import path from 'node:path';
      import posix from 'node:path/posix';
      const cases = ['', '.', '..', '/', '//a//b/', 'a/b/../c', '/a/./b/../../c/', 'a\\\\b/c', '../../x', 'a/b/c/', '/foo/bar/baz.tar.gz', '.bashrc', 'file.', 'a/.b.c'];
      export async function handler() {
        return [
          cases.map((c) => [path.normalize(c), path.dirname(c), path.basename(c), path.extname(c), path.isAbsolute(c), path.parse(c)]),
          path.join('a', '', 'b/', '../c', './d'), path.join(), path.resolve('/a/b', './c', '../d'), path.resolve('/x', '/y', 'z'),
          path.relative('/data/orandea/test/aaa', '/data/orandea/impl/bbb'), path.relative('/a', '/a'), path.relative('/a/b', '/a'),
          path.basename('/a/b.html', '.html'), path.format({ dir: '/home', name: 'f', ext: '.txt' }), path.format({ root: '/', base: 'x' }),
          path.sep, path.delimiter, posix === path.posix, path.posix.join('a', 'b'),
        ];
      }`);
  });
});

describe('node:url and node:querystring', () => {
  it('parses, formats and resolves legacy URLs as Node does', async () => {
    await o.same(`
      import url from 'node:url';
      const inputs = ['http://user:pw@host.com:8080/p/a/t/h?query=string&a=1#hash', 'https://example.com', '/relative?x=1',
        'mailto:a@b.c', '//proto-relative/x', 'HTTP://EXAMPLE.com/%7Efoo', 'file:///etc/passwd', 'http://[::1]:3000/x'];
      export async function handler() {
        const strip = (u) => JSON.parse(JSON.stringify(u));
        return [
          inputs.map((i) => strip(url.parse(i))), strip(url.parse('http://a.com/?x=1&x=2&y', true).query),
          inputs.map((i) => url.format(url.parse(i))),
          url.format({ protocol: 'https', hostname: 'ex.com', pathname: '/p', query: { a: 1, b: ['x', 'y'] } }),
          url.resolve('http://a.com/b/c', '../d'), url.resolve('/one/two', 'three'), url.resolve('http://a.com/', '//b.com/x'),
          url.fileURLToPath('file:///tmp/a%20b.txt'), url.pathToFileURL('/tmp/a b#c.txt').href,
          url.URL === URL, url.URLSearchParams === URLSearchParams, url.format(new URL('http://a.com/x?y#z'), { fragment: false }),
        ];
      }`);
  });

  it('stringifies and parses query strings as Node does', async () => {
    await o.same(`
      import qs from 'querystring';
      export async function handler() {
        return [
          qs.stringify({ a: 1, b: ['x', 'y'], c: '', d: null, e: undefined, f: 'é&=', g: true }),
          qs.parse('a=1&b=x&b=y&c=&d&e=%C3%A9%26&f=a+b'), qs.parse('a:1;b:2', ';', ':'),
          qs.escape('a b&c/é'), qs.unescape('a%20b%2'), qs.encode === qs.stringify, qs.decode === qs.parse,
          qs.parse('a=1&a=2&a=3', null, null, { maxKeys: 2 }),
        ];
      }`);
  });
});

describe('node:string_decoder', () => {
  it('joins multibyte characters split across writes', async () => {
    await o.same(`
      import { StringDecoder } from 'node:string_decoder';
      export async function handler() {
        const bytes = Buffer.from('a€b😀c', 'utf8');
        const out = [];
        for (const enc of ['utf8', 'utf16le', 'base64', 'hex']) {
          const input = enc === 'utf8' ? bytes : Buffer.from('a€b😀c', enc === 'utf16le' ? 'utf16le' : 'utf8');
          const d = new StringDecoder(enc);
          const parts = [];
          for (let i = 0; i < input.length; i++) parts.push(d.write(input.subarray(i, i + 1)));
          parts.push(d.end());
          out.push([enc, parts]);
        }
        const d = new StringDecoder('utf8');
        out.push([d.write(Buffer.from([0xe2, 0x82])), d.end(), d.write(Buffer.from([0xff, 0x41]))]);
        return out;
      }`);
  });

  it('decodes a huge input within the limits, and keeps serving', async () => {
    const code = `
      import { StringDecoder } from 'node:string_decoder';
      export async function handler(event) {
        const d = new StringDecoder('utf8');
        const chunk = Buffer.from('é'.repeat(1 << 19));
        let n = 0;
        for (let i = 0; i < event; i++) n += d.write(chunk.subarray(1)).length;
        return n;
      }`;
    const huge = await o.invoke(code, 400);
    if (huge.ok) expect(JSON.parse(huge.result)).toBeGreaterThan(0);
    else expect(huge.reason).toMatch(/memory|timeout/i);
    const small = await o.invoke(code, 1);
    expect(small.ok && JSON.parse(small.result)).toBe(1 << 19);
  });
});

describe('node:assert', () => {
  it("fails with Node's AssertionError class, code and message", async () => {
    await o.same(`
      import assert, { AssertionError } from 'node:assert';
      import strict from 'node:assert/strict';
      const fail = async (f) => { try { await f(); return 'passed'; } catch (e) {
        return [e.name, e.code, e instanceof AssertionError, e.operator, e.generatedMessage, e.message.split('\\n')[0]]; } };
      export async function handler() {
        return [
          await fail(() => assert.strictEqual(1, 2)), await fail(() => assert.equal(1, '1')),
          await fail(() => assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 2] })),
          await fail(() => assert.deepStrictEqual({ a: 1 }, { a: '1' })), await fail(() => assert.deepEqual({ a: 1 }, { a: '1' })),
          (await fail(() => assert.ok(0))).slice(0, 4), await fail(() => assert(false, 'custom message')),
          await fail(() => assert.throws(() => { throw new TypeError('x'); }, TypeError)),
          await fail(() => assert.throws(() => {}, Error)), await fail(() => assert.throws(() => { throw new Error('abc'); }, /abd/)),
          await fail(() => assert.rejects(Promise.reject(new Error('r')), { message: 'r' })),
          await fail(() => assert.rejects(Promise.resolve(1))), await fail(() => assert.doesNotThrow(() => { throw new Error('dnt'); })),
          await fail(() => assert.notStrictEqual(1, 1)), await fail(() => assert.match('abc', /x/)),
          await fail(() => assert.fail('boom')), await fail(() => assert.ifError(new Error('if'))),
          await fail(() => strict.equal(1, '1')), strict === assert.strict, typeof assert.AssertionError,
        ];
      }`);
  });
});
