import { type FunctionVersion, parseFunctionConfig } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { FunctionCache } from './function-cache.ts';

const record = (name: string, version = 1): FunctionVersion => ({
  name,
  version,
  sha256: 'a'.repeat(64),
  size: 1,
  handler: 'event',
  createdAt: new Date(0),
  config: parseFunctionConfig({}),
});

/** A registry stand-in made of a plain map (the registry itself is tested against SQL). */
function source(known: Map<string, FunctionVersion>) {
  const calls: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  return {
    calls,
    hold() {
      let open = () => {};
      gate = new Promise((r) => {
        open = r;
      });
      return open;
    },
    load: async (name: string, version?: number) => {
      calls.push(`${name}@${version ?? 'latest'}`);
      // Read first, answer later: like a SQL row read just before a deploy committed.
      const found = known.get(version === undefined ? name : `${name}@${version}`);
      await gate;
      return found;
    },
  };
}

describe('FunctionCache', () => {
  it('answers a seeded version (as itself and as the latest) without a load', async () => {
    const s = source(new Map());
    const cache = new FunctionCache(s.load);
    cache.seed(record('fresh', 4));
    expect(cache.get('fresh')).toEqual(record('fresh', 4));
    expect(cache.get('fresh', 4)).toEqual(record('fresh', 4));
    expect(s.calls).toEqual([]);
  });

  it('does not let a seed replace what is cached or being loaded', async () => {
    const s = source(new Map([['busy', record('busy', 7)]]));
    const cache = new FunctionCache(s.load);
    const open = s.hold();
    const loading = cache.get('busy');
    cache.seed(record('busy', 6));
    open();
    expect(await loading).toEqual(record('busy', 7));
    expect(cache.get('busy')).toEqual(record('busy', 7));
    expect(s.calls).toEqual(['busy@latest']);
  });

  it('loads once per key, even for concurrent callers, then answers from memory', async () => {
    const s = source(new Map([['hello', record('hello')]]));
    const cache = new FunctionCache(s.load);
    const [a, b] = await Promise.all([cache.get('hello'), cache.get('hello')]);
    expect(a).toBe(b);
    expect(cache.get('hello')).toBe(a); // a value now, not a promise
    expect(s.calls).toEqual(['hello@latest']);
  });

  // Telling callers that a record went stale is the directory's (function-directory.test.ts).
  it('does not keep a load that an invalidation overtook', async () => {
    const known = new Map([['hello', record('hello', 1)]]);
    const s = source(known);
    const cache = new FunctionCache(s.load);
    const open = s.hold();
    const stale = cache.get('hello');
    cache.invalidate('hello');
    known.set('hello', record('hello', 2));
    open();
    expect((await stale)?.version).toBe(1); // the caller still gets what it asked for
    expect((await cache.get('hello'))?.version).toBe(2);
  });

  it('spares the settled records an invalidation is told to keep, and nothing else', async () => {
    const known = new Map([
      ['keep', record('keep', 3)],
      ['keep@2', record('keep', 2)],
    ]);
    const s = source(known);
    const cache = new FunctionCache(s.load);
    await cache.get('keep');
    await cache.get('keep', 2);
    await cache.get('keep', 9); // a miss
    cache.invalidate('keep', (fn) => fn.version >= 3);
    expect(cache.get('keep')).toEqual(record('keep', 3));
    expect(cache.get('keep', 2)).toBeInstanceOf(Promise);
    expect(cache.get('keep', 9)).toBeInstanceOf(Promise);
  });

  it('keeps misses briefly and stays bounded, least recently used out first', async () => {
    const s = source(new Map([['hot', record('hot')]]));
    const cache = new FunctionCache(s.load, { maxEntries: 10, missTtlMs: 50 });
    await cache.get('hot');
    for (let i = 0; i < 100; i++) {
      await cache.get(`nope-${i}`);
      await cache.get('hot'); // in use: never the least recently used
      await cache.get('hot', 1000 + i);
    }
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(s.calls.filter((c) => c === 'hot@latest')).toHaveLength(1);
    expect(await cache.get('nope-99')).toBeUndefined();
    const calls = s.calls.length;
    await cache.get('nope-99');
    expect(s.calls.length).toBe(calls); // believed within the TTL
  });

  it('does not cache a failed load', async () => {
    let fail = true;
    const cache = new FunctionCache(async (name) => {
      if (fail) throw new Error('down');
      return record(name);
    });
    await expect(cache.get('x')).rejects.toThrow('down');
    fail = false;
    expect(await cache.get('x')).toMatchObject({ name: 'x' });
  });
});
