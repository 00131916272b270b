/** Headers cases: each body runs in Node and in an isolate; the results must be equal. */
export const HEADERS_CASES: Record<string, string> = {
  'normalises names and values, combines repeated names, iterates sorted': `
    const h = new Headers({ 'X-B': '  two\\t', 'x-a': 'one' });
    h.append('X-b', 'three');
    h.append('Cookie', 'a=1');
    h.append('cookie', 'b=2');
    return {
      entries: [...h],
      keys: [...h.keys()],
      values: [...h.values()],
      get: [h.get('x-b'), h.get('X-A'), h.get('cookie'), h.get('missing')],
      has: [h.has('X-A'), h.has('nope')],
    };
  `,
  'set replaces, delete removes, case-insensitively': `
    const h = new Headers([['A', '1'], ['a', '2'], ['B', '3']]);
    h.set('a', 'x');
    h.delete('B');
    h.delete('not-there');
    return [...h];
  `,
  'set-cookie values stay apart in iteration and getSetCookie': `
    const h = new Headers();
    h.append('Set-Cookie', 'a=1; Path=/');
    h.append('set-cookie', 'b=2');
    h.append('X-Z', 'z');
    h.append('Accept', 'text/html');
    const before = [...h];
    const cookies = h.getSetCookie();
    const joined = h.get('set-cookie');
    h.set('set-cookie', 'c=3');
    const after = h.getSetCookie();
    h.delete('Set-Cookie');
    return { before, cookies, joined, after, gone: h.getSetCookie(), empty: new Headers().getSetCookie() };
  `,
  'copying a Headers keeps set-cookie values and name case': `
    const a = new Headers();
    a.append('Set-Cookie', 'a=1');
    a.append('Set-Cookie', 'b=2');
    a.append('X-Mixed', 'v');
    const b = new Headers(a);
    a.set('x-mixed', 'changed');
    return { b: [...b], cookies: b.getSetCookie(), a: [...a] };
  `,
  'invalid names and values are TypeErrors': `
    const tries = {
      name: () => new Headers({ 'bad name': 'x' }),
      emptyName: () => new Headers([['', 'x']]),
      newline: () => new Headers({ a: 'x\\ny' }),
      nul: () => new Headers({ a: 'x\\0y' }),
      cr: () => new Headers().append('a', 'x\\ry'),
      nonLatin1: () => new Headers({ a: '€' }),
      pairLength: () => new Headers([['a', 'b', 'c']]),
      notIterablePair: () => new Headers([1]),
      primitive: () => new Headers(5),
      getBad: () => new Headers().get('a b'),
      setBad: () => new Headers().set('a', 'b\\r\\n'),
      symbolKey: () => new Headers({ [Symbol('s')]: 'x' }),
    };
    const out = {};
    for (const [k, f] of Object.entries(tries)) out[k] = await attempt(f);
    return out;
  `,
  'values are trimmed of HTTP whitespace and latin1 passes': `
    const h = new Headers({ a: ' \\t\\r\\n x y \\n', b: 'é', c: '' });
    return [...h];
  `,
  'iteration is live and sees changes made while iterating': `
    const h = new Headers({ b: '2', d: '4' });
    const seen = [];
    for (const [k] of h) {
      seen.push(k);
      if (k === 'b') h.append('c', '3');
    }
    const it = h.entries();
    return { seen, tag: describe(it), next: it.next(), proto: Object.getPrototypeOf(Object.getPrototypeOf(it)) === Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) };
  `,
  'forEach passes value, key, headers and thisArg': `
    const h = new Headers({ b: '2', a: '1' });
    const out = [];
    h.forEach(function (value, key, self) { out.push([value, key, self === h, this.tag]); }, { tag: 't' });
    return { out, noFn: await attempt(() => h.forEach(5)) };
  `,
  'brand checks, tags and enumerable members as Node': `
    return {
      tag: describe(new Headers()),
      name: Headers.name,
      keys: Object.keys(Headers.prototype),
      append: await attempt(() => Headers.prototype.append.call({}, 'a', 'b')),
      get: await attempt(() => Headers.prototype.get.call(Object.create(Headers.prototype), 'a')),
      iter: await attempt(() => Headers.prototype.entries.call({})),
      noArgs: await attempt(() => new Headers().append('a')),
      lengths: [Headers.length, Headers.prototype.append.length, Headers.prototype.forEach.length],
    };
  `,
  'records take own string keys, sequences any iterable of pairs': `
    const proto = { inherited: 'x' };
    const rec = Object.create(proto);
    rec.own = 'y';
    const fromMap = new Headers(new Map([['m', '1'], ['n', '2']]));
    const fromGen = new Headers((function* () { yield ['g', '1']; yield new Set(['h', '2']); })());
    return { rec: [...new Headers(rec)], fromMap: [...fromMap], fromGen: [...fromGen] };
  `,
  'response and request headers are guarded': `
    const redirect = Response.redirect('http://example.com/x', 301);
    const error = Response.error();
    return {
      redirect: await attempt(() => redirect.headers.set('a', 'b')),
      error: await attempt(() => error.headers.append('a', 'b')),
      del: await attempt(() => redirect.headers.delete('location')),
      response: await attempt(() => { const r = new Response('x'); r.headers.set('X-Y', 'z'); return [...r.headers]; }),
      request: await attempt(() => { const r = new Request('http://a/'); r.headers.set('Host', 'h'); return [...r.headers]; }),
    };
  `,
};
