import { describe, expect, it } from 'vitest';
import { failure, testContext } from './test-context.ts';
import { urlOps, urlRecord } from './url.ts';

const ctx = testContext();
const parse = (...args: unknown[]) => urlOps['url.parse'](ctx, args);
const set = (...args: unknown[]) => urlOps['url.set'](ctx, args);
const canParse = (...args: unknown[]) => urlOps['url.canParse'](ctx, args);

describe('url ops', () => {
  it('parse returns the record of Node’s URL, or null where new URL throws', () => {
    for (const [input, base] of [
      ['https://u:p@EXAMPLE.com:8080/a/../b?x#y', undefined],
      ['../c?d', 'http://a/b/e'],
      ['blob:https://a.com/x', undefined],
    ] as const) {
      expect(parse(input, base)).toEqual(urlRecord(new URL(input, base)));
    }
    expect(parse('nope')).toBeNull();
    expect(parse('b', 'nope')).toBeNull();
    expect(canParse('b', 'http://a')).toBe(true);
    expect(canParse('nope')).toBe(false);
  });

  it('refuses arguments of the wrong type', async () => {
    for (const args of [[1], [null], [{ toString: () => 'http://a' }], ['http://a', 2], []]) {
      expect(await failure(() => parse(...args))).toEqual(['TypeError', expect.any(String)]);
      expect(await failure(() => canParse(...args))).toEqual(['TypeError', expect.any(String)]);
    }
  });

  it('set applies one named part, and only the parts a URL has', async () => {
    const u = new URL('http://a/b');
    u.port = '81';
    expect(set('http://a/b', 'port', '81')).toEqual(urlRecord(u));
    expect(set('http://a/b', 'href', 'https://c/')).toEqual(urlRecord(new URL('https://c/')));
    expect(await failure(() => set('http://a/b', 'href', 'nope'))).toEqual([
      'TypeError',
      'Invalid URL',
    ]);
    expect(await failure(() => set('nope', 'port', '1'))).toEqual(['TypeError', 'Invalid URL']);
    for (const part of ['origin', 'searchParams', '__proto__', 'constructor', 'toString', 1]) {
      expect(await failure(() => set('http://a/', part, 'x'))).toEqual([
        'TypeError',
        expect.any(String),
      ]);
    }
    expect(await failure(() => set('http://a/', 'port', 81))).toEqual([
      'TypeError',
      expect.any(String),
    ]);
  });
});
