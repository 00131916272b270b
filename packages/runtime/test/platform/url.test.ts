import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

// URL and URLSearchParams in the isolate against Node's, the oracle: parsing of tricky
// inputs, relative resolution, setters, and the query kept in step with searchParams.

const oracle = createOracle();
afterAll(() => oracle.dispose());

const PARTS = `['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']`;
const describeUrl = `const parts = (u) => u === null ? null : Object.fromEntries(${PARTS}.map((k) => [k, u[k]]));
const parse = (input, base) => { try { return parts(base === undefined ? new URL(input) : new URL(input, base)); } catch (e) { return { threw: e.name, message: e.message, code: e.code }; } };`;

const ABSOLUTE = [
  // IPv4 in its many spellings, and what is not one
  'http://0x7f.1/',
  'http://127.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7F.0x0.0x0.0x1:8080/',
  'http://1.2.3.4.5/',
  'http://256.256.256.256/',
  'http://1.2.3.08/',
  'http://0x100000000/',
  'http://4294967295/',
  'http://1.2.3.4./',
  'http://09.1/',
  // IPv6
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]:80/',
  'http://[::ffff:192.168.0.1]/',
  'http://[::127.0.0.1]/',
  'http://[1:2:3:4:5:6:7:8:9]/',
  'http://[::1/',
  'http://[FE80::1%25eth0]/',
  'http://[2001:DB8::0:0:1]/',
  // IDNA and hosts
  'http://EXAMPLE.com./',
  'http://xn--nxasmq6b.com/',
  'http://bücher.de/',
  'http://ß.com/',
  'http://faß.de/',
  'http://日本語.jp/',
  'http://\u00ad/',
  'http://a\u3002b/',
  'http://ＥＸＡＭＰＬＥ.com/',
  'http://xn--a.com/',
  'http://a b/',
  'http://a%20b/',
  'http://a%41.com/',
  'http://%zz/',
  'http://a<b/',
  'sc://ñ.com/',
  'sc://a b/',
  // percent-encoding of paths, queries and fragments
  'http://a/ pa th?q=a b&c=<>"\'`#f g<>`',
  "http://a/'?'#'",
  "sc://a/'?'",
  'http://a/%zz%2F%2f?%zz#%zz',
  'http://a/ü?ü=ü#ü',
  'http://a/\ud83d\ude00?\ud83d\ude00',
  'http://a/\ud800',
  'http://a/{}|\\^[]',
  'http://a/?{}|\\^[]',
  // special schemes and the rest
  'HTTP://A.com:80/',
  'https://a:443/',
  'ws://a:80/',
  'wss://a:443/',
  'ftp://a:21/',
  'http://a:65535/',
  'http://a:65536/',
  'http://a:/',
  'http://a:0x50/',
  'file:///C:/x/../y',
  'file://host/share/x',
  'file://localhost/x',
  'file:c:\\x\\y',
  'file:///C|/x',
  'http:\\\\a\\b\\c',
  'http:/a/b',
  'http:a',
  'non-special://a b/',
  'non-special://host:99999/',
  'javascript:alert(1)',
  'mailto:x@y.com',
  'data:text/plain,hi there',
  'blob:https://a.com/uuid',
  'blob:file:///x',
  'blob:sc://a/x',
  'about:blank',
  'http://user:pa:ss@a/',
  'http://@a/',
  'http://us er:p@ss@a/',
  'http://:@a/',
  'https://user@:1/',
  '  http://a/\t\n ',
  'http://a/\u0000b',
  'http://a\u0000b/',
  'h\tt\ntp://a/b\tc',
  'sc:foo ?x',
  'sc:foo #x',
  'sc:/.//p',
  'http://a/./b/../../c/.%2e/d',
  'http://a/%2e%2E/b',
  '',
  'a',
  '//a',
  'http://',
  'http://[]',
];

// RFC 3986 section 5.4, and a few the WHATWG standard adds.
const RELATIVE = [
  'g:h',
  'g',
  './g',
  'g/',
  '/g',
  '//g',
  '?y',
  'g?y',
  '#s',
  'g#s',
  'g?y#s',
  ';x',
  'g;x',
  'g;x?y#s',
  '',
  '.',
  './',
  '..',
  '../',
  '../g',
  '../..',
  '../../',
  '../../g',
  '../../../g',
  '../../../../g',
  '/./g',
  '/../g',
  'g.',
  '.g',
  'g..',
  '..g',
  './../g',
  './g/.',
  'g/./h',
  'g/../h',
  'g;x=1/./y',
  'g;x=1/../y',
  'g?y/./x',
  'g?y/../x',
  'g#s/./x',
  'g#s/../x',
  'http:g',
  '\\\\x\\y',
  '  /g  ',
  '//user@h:81/p',
  '//[::1]:',
];

describe('URL', () => {
  it('parses tricky absolute URLs as Node does', async () => {
    await oracle.same(`${describeUrl}
      return ${JSON.stringify(ABSOLUTE)}.map((input) => [input, parse(input)]);`);
  });

  it('resolves relative references against a base as Node does', async () => {
    await oracle.same(`${describeUrl}
      const bases = ['http://a/b/c/d;p?q', 'file:///C:/a/b', 'sc://h/a/b', 'sc:opaque', 'http://[::1]:8/x/'];
      return bases.flatMap((base) => ${JSON.stringify(RELATIVE)}.map((input) => [base, input, parse(input, base)]));`);
  });

  it('has canParse, parse, toString, toJSON and a base given as a URL', async () => {
    await oracle.same(`${describeUrl}
      const u = new URL('https://a.com/x?y#z');
      return {
        canParse: [URL.canParse('http://a'), URL.canParse('nope'), URL.canParse('b', 'http://a/'), URL.canParse('b', 'nope')],
        parse: [parts(URL.parse('http://a/b')), URL.parse('nope'), parts(URL.parse('../c', 'http://a/b/d'))],
        string: [String(u), u.toString(), u.toJSON(), JSON.stringify({ u })],
        base: parts(new URL('q', u)),
        noArgs: await attempt(() => new URL()),
        noArgsCanParse: await attempt(() => URL.canParse()),
        symbol: await attempt(() => new URL(Symbol('x'))),
        object: parts(new URL({ toString: () => 'http://from.object/' })),
        tag: describe(u),
        keys: Object.keys(URL.prototype).filter((k) => k !== 'toJSON' && k !== 'toString').sort(),
        statics: ['canParse', 'parse'].map((k) => typeof URL[k]),
      };`);
  });

  it('gives each URL its own parts however often the same input is parsed', async () => {
    await oracle.same(`${describeUrl}
      const out = [];
      const a = new URL('http://x/p?q=1#h');
      a.searchParams.append('r', '2');
      a.pathname = '/z';
      out.push(parts(a), parts(new URL('http://x/p?q=1#h')));
      out.push(parts(new URL('q', 'http://x/')), parts(new URL('q', 'http://y/')));
      // Inputs and bases that run together the same way must not be mixed up.
      out.push(parse('ab', 'http://c/'), parse('a', 'bhttp://c/'), parse('1:ahttp://c/'), parse('-http://c/'));
      for (let i = 0; i < 600; i++) new URL('http://host' + i + '/');
      out.push(parts(new URL('http://host0/')), parts(new URL('http://x/p?q=1#h')), parse('nope'), parse('nope'));
      return out;`);
  });

  it("throws a TypeError 'Invalid URL' with Node's code", async () => {
    await oracle.same(`${describeUrl}
      return [parse('nope'), parse('http://a:99999'), parse('b', 'nope'), parse('http://[::1')];`);
  });

  it('applies setters as Node does, ignoring values a part cannot take', async () => {
    const SETTERS = [
      ['http://a/b', 'protocol', 'https'],
      ['http://a/b', 'protocol', 'foo'],
      ['http://a/b', 'protocol', 'https:x'],
      ['sc://a/b', 'protocol', 'http'],
      ['http://a:8080/b', 'protocol', 'https'],
      ['file:///x', 'protocol', 'http'],
      ['http://a/', 'username', 'us er@:/'],
      ['file:///x', 'username', 'u'],
      ['http://a/', 'password', 'p@ss:w'],
      ['http://a/', 'host', 'b.com:81'],
      ['http://a/', 'host', 'b.com:abc'],
      ['http://a/', 'host', ''],
      ['sc://a/', 'host', ''],
      ['http://a/', 'host', '[::1]:9'],
      ['http://a/', 'hostname', 'b.com:81'],
      ['http://a/', 'hostname', 'bücher.de'],
      ['http://a/', 'hostname', 'a b'],
      ['http://a/', 'port', '8080abc'],
      ['http://a:1/', 'port', ''],
      ['http://a/', 'port', '99999'],
      ['http://a/', 'port', '80'],
      ['file:///x', 'port', '1'],
      ['http://a/', 'pathname', '/x y/?#z'],
      ['http://a/', 'pathname', 'rel'],
      ['sc:opaque', 'pathname', 'x'],
      ['http://a/', 'search', 'q=1 2#f'],
      ['http://a/?x', 'search', ''],
      ['http://a/', 'search', '?'],
      ['http://a/', 'hash', 'f g'],
      ['http://a/#x', 'hash', ''],
      ['http://a/', 'hash', '#'],
      ['http://a/', 'href', 'https://b/c?d#e'],
      ['http://a/', 'href', 'nope'],
    ];
    await oracle.same(`${describeUrl}
      return ${JSON.stringify(SETTERS)}.map(([href, part, value]) => {
        const u = new URL(href);
        let threw = null;
        try { u[part] = value; } catch (e) { threw = [e.name, e.message]; }
        return [href, part, value, threw, parts(u)];
      });`);
  });

  it('keeps searchParams and the query in step, both ways', async () => {
    await oracle.same(`${describeUrl}
      const out = [];
      const u = new URL('http://a/p?b=2&a=1&b=0#frag');
      const p = u.searchParams;
      out.push([p === u.searchParams, [...p], p.size]);
      p.append('c', 'd e+f&g=h');
      out.push(parts(u));
      p.sort();
      out.push(u.href);
      p.delete('b', '2');
      out.push(u.href, p.has('b'), p.has('b', '2'), p.has('b', '0'));
      p.set('b', 'x');
      out.push(u.href);
      u.search = '?z=1&z=2';
      out.push([...p], p.getAll('z'), u.href);
      u.href = 'http://other/?k=v#h';
      out.push([...p], u.search);
      for (const k of [...p.keys()]) p.delete(k);
      out.push(u.href, u.search, p.toString());
      const empty = new URL('http://a/?#');
      empty.searchParams.sort();
      out.push(empty.href);
      const q = new URL('http://a/?x=1#');
      q.searchParams.delete('x');
      out.push(q.href);
      const qs = new URL('http://a/??x=1&y');
      out.push([...qs.searchParams]);
      qs.searchParams.append('s', 'é ☃ \\ud800');
      out.push(qs.href);
      const opaque = new URL('sc:foo ?x');
      opaque.searchParams.delete('x');
      out.push(parts(opaque));
      return out;`);
  });
});

describe('URLSearchParams', () => {
  it('parses application/x-www-form-urlencoded as Node does', async () => {
    const INPUTS = [
      '?a=b&&c=%zz&d=%C3%A9+x&e=%ff',
      'a=b=c&=d&e=&f',
      '%C3%A9%E2%98%83=%F0%9F%98%80',
      '%e2%98=%e2%98%83%',
      'a+b=c+d%2Be',
      '??a=1',
      'a=%00&%=%%25&%2',
      'q=\ud800x',
      '',
      '&&&',
    ];
    await oracle.same(
      `return ${JSON.stringify(INPUTS)}.map((s) => { const p = new URLSearchParams(s); return [s, [...p], p.toString(), p.size]; });`,
    );
  });

  it('serializes as Node does', async () => {
    await oracle.same(`
      const p = new URLSearchParams();
      for (const s of [' ', '+', '*-._', '~!\\'()', 'é☃😀', '\\ud800', '&=?#%', '\\u0000\\u007f', 'abcXYZ019'])
        p.append(s, s);
      return [p.toString(), [...new URLSearchParams(p.toString())]];`);
  });

  it('takes records, sequences, strings and other URLSearchParams', async () => {
    await oracle.same(`
      const make = async (init) => attempt(() => [...new URLSearchParams(init)]);
      const gen = function* () { yield ['g', '1']; yield new Set(['h', '2']); };
      return [
        await make({ a: 1, b: 'two', c: null }),
        await make([['a', 'b'], ['c', 'd']]),
        await make(gen()),
        await make(new URLSearchParams('x=1&x=2')),
        await make(new Map([['m', 'n']])),
        await make({ '\\ud800': 1, '\\ufffd': 2 }),
        await make(Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3 } })),
        await make([['a']]),
        await make([['a', 'b', 'c']]),
        await make([1]),
        await make({ [Symbol.iterator]: 5 }),
        await make({ [Symbol('s')]: 1 }),
        await make(null),
        await make(undefined),
        await make(42),
        await make('?a=1'),
      ];`);
  });

  it('has the methods of the standard, checked as Node checks them', async () => {
    await oracle.same(`
      const p = new URLSearchParams('b=1&a=2&b=0&a=1&c');
      const seen = [];
      p.forEach(function (v, k, self) { seen.push([k, v, self === p, this.t]); }, { t: 'this' });
      const it = p.entries();
      const first = it.next();
      p.sort();
      return {
        get: [p.get('a'), p.get('zz'), p.getAll('b'), p.has('c'), p.has('c', ''), p.has('a', '3')],
        seen,
        first,
        rest: [...it],
        sorted: p.toString(),
        keys: [...p.keys()], values: [...p.values()], size: p.size,
        iterTag: describe(p.keys()), tag: describe(p),
        same: URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries,
        members: Object.keys(URLSearchParams.prototype).sort(),
        missing: [
          await attempt(() => p.append('a')),
          await attempt(() => p.get()),
          await attempt(() => p.delete()),
          await attempt(() => p.forEach(1)),
          await attempt(() => URLSearchParams.prototype.get.call({}, 'a')),
        ],
        sortStable: (() => { const s = new URLSearchParams('z=1&\\ud83d\\ude00=2&\\uffff=3&a=4&z=0'); s.sort(); return [...s]; })(),
      };`);
  });
});

it('keeps URL and URLSearchParams working for other calls when user code replaced intrinsics', async () => {
  const fn = oracle.deploy(
    'url-intrinsics',
    `export function handler(event) {
      if (event.patch) {
        String.prototype.slice = () => 'patched';
        Array.prototype.slice = () => [];
        String.prototype.toWellFormed = () => 'patched';
      }
      const u = new URL('http://a/b?c=1#d');
      u.searchParams.append('e', 'f');
      return [u.href, u.search, new URLSearchParams('x=1').get('x')];
    }`,
  );
  const expected = ['http://a/b?c=1&e=f#d', '?c=1&e=f', '1'];
  for (const patch of [true, false]) {
    const out = await oracle.runtime.invoke(fn, JSON.stringify({ patch }));
    expect(out.ok && JSON.parse(out.result)).toEqual(expected);
  }
});
