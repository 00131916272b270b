import { afterAll, describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

// URLPattern (urlpattern-polyfill on the isolate's URL) against Node's (ada's).
const o = createOracle();
afterAll(() => o.dispose());

describe('URLPattern', () => {
  it('matches and extracts groups as Node does', async () => {
    await o.same(`
      const cases = [
        [{ pathname: '/books/:id' }, 'https://example.com/books/123'],
        [{ pathname: '/books/:id' }, 'https://example.com/books/'],
        [{ pathname: '/books/:id(\\\\d+)' }, 'https://example.com/books/abc'],
        [{ pathname: '/files/*' }, 'https://example.com/files/a/b/c.txt'],
        [{ pathname: '/:lang?/docs' }, 'https://example.com/docs'],
        [{ pathname: '/:lang?/docs' }, 'https://example.com/en/docs'],
        [{ pathname: '/items/:id+' }, 'https://example.com/items/a/b'],
        [{ pathname: '/{a}?b' }, 'https://example.com/b'],
        [{ hostname: '{*.}?example.com' }, 'https://api.example.com/x'],
        [{ protocol: 'http{s}?', hostname: 'example.com', pathname: '/' }, 'http://example.com/'],
        [{ search: 'q=:term' }, 'https://example.com/?q=cats'],
        [{ hash: ':frag' }, 'https://example.com/#top'],
        [{ port: '8080' }, 'https://example.com:8080/'],
        [{ username: ':user', password: ':pass' }, 'https://ann:secret@example.com/'],
        ['https://example.com/users/:id', 'https://example.com/users/42?x=1'],
        ['/users/:id', 'https://example.com/users/42', 'https://example.com'],
        [{ pathname: '/caf\\u00e9/:x' }, 'https://example.com/caf%C3%A9/1'],
        [{ pathname: '/a/:b' }, { pathname: '/a/c' }],
        [{ pathname: '/a/:b' }, { pathname: '/a/c', baseURL: 'https://example.com' }],
        [{ pathname: '/Books/:id' }, 'https://example.com/books/1', undefined, { ignoreCase: true }],
      ];
      return cases.map(([init, input, base, options]) => {
        try {
          const p = base === undefined ? new URLPattern(init, options) : new URLPattern(init, base, options);
          const r = p.exec(input);
          return {
            test: p.test(input),
            parts: [p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash, p.hasRegExpGroups],
            result: r && Object.fromEntries(['protocol', 'hostname', 'pathname', 'search', 'hash', 'port', 'username', 'password']
              .map((k) => [k, r[k].groups])),
            inputs: r && r.inputs,
          };
        } catch (e) {
          return e.name;
        }
      });`);
  });

  it("refuses bad patterns with a TypeError and looks like Node's class", async () => {
    await o.same(`
      const bad = [{ pathname: '/:id(' }, { pathname: '/(a(b))' }, 'not a url :(', { pathname: '/:' }, 5];
      const p = new URLPattern({ pathname: '/x' });
      return [
        bad.map((b) => { try { new URLPattern(b); return 'accepted'; } catch (e) { return e.name; } }),
        typeof URLPattern.prototype.exec, URLPattern.name,
        Object.keys(URLPattern.prototype).sort(),
        (() => { try { URLPattern.prototype.test.call({}, 'https://x'); } catch (e) { return e.name; } })(),
      ];`);
  });
});

describe('URLPattern beyond Node', () => {
  it('has the Symbol.toStringTag of WebIDL classes (Node 24 has none)', async () => {
    expect(await o.inIsolate(`return Object.prototype.toString.call(new URLPattern({}))`)).toBe(
      '[object URLPattern]',
    );
  });

  it('is an accessor until first read', async () => {
    expect(
      await o.inIsolate(`
        const d = () => typeof Object.getOwnPropertyDescriptor(globalThis, 'URLPattern').get;
        const before = d();
        new URLPattern({ pathname: '/' });
        return [before, d()];`),
    ).toEqual(['function', 'undefined']);
  });
});
