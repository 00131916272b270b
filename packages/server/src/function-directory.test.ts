import { type FunctionVersion, parseFunctionConfig } from '@mini-lambda/core';
import type { FunctionChange } from '@mini-lambda/store';
import { describe, expect, it } from 'vitest';
import { createFunctionDirectory, type FunctionDirectory } from './function-directory.ts';
import { createChangeClock } from './function-directory-clock.ts';

/**
 * A registry over plain maps that numbers versions as the real one does (commit order,
 * starting again at 1 after a delete) and returns the change each write announces. The
 * registry itself is tested against SQL; here only what the directory sees matters.
 */
function fakeRegistry() {
  const functions = new Map<string, { timeout: number; versions: number }>();
  const loads: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const versionOf = (name: string, version: number): FunctionVersion => ({
    name,
    version,
    sha256: version.toString(16).padStart(64, '0'),
    size: 1,
    handler: 'event',
    createdAt: new Date(0),
    config: parseFunctionConfig({ timeout_ms: functions.get(name)?.timeout ?? 3000 }),
  });
  return {
    loads,
    deploy(name: string): { fn: FunctionVersion; change: FunctionChange } {
      const fn = functions.get(name) ?? { timeout: 3000, versions: 0 };
      fn.versions++;
      functions.set(name, fn);
      return {
        fn: versionOf(name, fn.versions),
        change: { name, op: 'deploy', version: fn.versions },
      };
    },
    patch(name: string, timeout: number): FunctionChange {
      const fn = functions.get(name);
      if (fn) fn.timeout = timeout;
      return { name, op: 'patch' };
    },
    remove(name: string): FunctionChange {
      functions.delete(name);
      return { name, op: 'delete' };
    },
    async load(name: string, version?: number) {
      loads.push(`${name}@${version ?? 'latest'}`);
      // Read first, answer later: like a row read just before another write committed.
      const fn = functions.get(name);
      const found = fn && (version ?? fn.versions) <= fn.versions;
      const answer = found ? versionOf(name, version ?? fn.versions) : undefined;
      await gate;
      return answer;
    },
    /** Holds every load until the returned function is called. */
    hold(): () => void {
      let open = () => {};
      gate = new Promise((r) => {
        open = r;
      });
      return open;
    },
    names: () => [...functions.keys()],
  };
}

/** A directory over a fake registry; `retired` lists what it retired, `pooled` what has pools. */
function setup(options: { existing?: () => Promise<string[]> } = {}) {
  const registry = fakeRegistry();
  const retired: string[] = [];
  const failures: unknown[] = [];
  const pooled = new Set<string>();
  const directory: FunctionDirectory = createFunctionDirectory({
    load: (name, version) => registry.load(name, version),
    existing: options.existing ?? (async () => registry.names()),
    pooled: async () => pooled,
    retire: (name) => {
      retired.push(name);
      pooled.delete(name);
    },
    onResyncFailed: (err) => failures.push(err),
  });
  return { registry, directory, retired, pooled, failures };
}

/** Lets pending promise callbacks (loads, rechecks) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('function directory: deploys made here', () => {
  it('keeps what it wrote as the latest: its first invoke reads no row, and its echo keeps it', async () => {
    const { registry, directory } = setup();
    const since = directory.stamp();
    const { fn, change } = registry.deploy('fresh');
    directory.deployed(fn, since);
    expect(directory.get('fresh')).toEqual(fn); // a value, not a promise
    expect(directory.get('fresh', 1)).toEqual(fn);
    directory.changed(change); // the NOTIFY echo of the same deploy
    expect(directory.get('fresh')).toEqual(fn);
    expect(registry.loads).toEqual([]);
  });

  it('still keeps it when its own echo arrives before the write returns', async () => {
    const { registry, directory } = setup();
    const since = directory.stamp();
    const { fn, change } = registry.deploy('quick');
    directory.changed(change);
    directory.deployed(fn, since);
    expect(directory.get('quick')).toEqual(fn);
    expect(registry.loads).toEqual([]);
  });

  it('keeps it when an older deploy is announced after it, drops it for a newer one', async () => {
    const { registry, directory } = setup();
    const older = registry.deploy('busy'); // another instance's, committed first
    const since = directory.stamp();
    const mine = registry.deploy('busy');
    directory.changed(older.change);
    directory.deployed(mine.fn, since);
    expect(directory.get('busy')).toEqual(mine.fn);
    const newer = registry.deploy('busy');
    directory.changed(newer.change);
    expect(await directory.get('busy')).toMatchObject({ version: 3 });
    expect(registry.loads).toEqual(['busy@latest']);
  });

  it.each([
    ['a newer deploy', (r: ReturnType<typeof fakeRegistry>) => r.deploy('raced').change],
    ['a patch', (r: ReturnType<typeof fakeRegistry>) => r.patch('raced', 500)],
    ['a change of unknown kind', (): FunctionChange => ({ name: 'raced', op: 'unknown' })],
  ])('does not keep it as the latest when %s landed meanwhile', async (_what, write) => {
    const { registry, directory } = setup();
    const since = directory.stamp();
    const { fn } = registry.deploy('raced');
    directory.changed(write(registry));
    directory.deployed(fn, since);
    expect(directory.get('raced')).toBeInstanceOf(Promise);
  });

  it('does not keep it when notifications were missed meanwhile', async () => {
    const { registry, directory } = setup();
    const since = directory.stamp();
    const { fn } = registry.deploy('gap');
    await directory.resync();
    directory.deployed(fn, since);
    expect(directory.get('gap')).toBeInstanceOf(Promise);
  });

  it('keeps it again after a delete, when numbering starts over', async () => {
    const { registry, directory } = setup();
    for (let i = 0; i < 3; i++) directory.changed(registry.deploy('again').change);
    directory.changed(registry.remove('again'));
    const since = directory.stamp();
    const { fn } = registry.deploy('again');
    directory.deployed(fn, since);
    expect(directory.get('again')).toEqual(fn);
  });
});

describe('function directory: changes', () => {
  it('reads a patched record again, and never keeps a load that a change overtook', async () => {
    const { registry, directory } = setup();
    registry.deploy('hello');
    expect(await directory.get('hello')).toMatchObject({ config: { timeout_ms: 3000 } });
    const open = registry.hold();
    const stale = directory.get('hello');
    directory.changed(registry.patch('hello', 500));
    open();
    expect(await stale).toMatchObject({ config: { timeout_ms: 3000 } }); // what it asked for
    expect(await directory.get('hello')).toMatchObject({ config: { timeout_ms: 500 } });
  });

  it('drops misses and other versions on a deploy announced by another instance', async () => {
    const { registry, directory } = setup();
    directory.changed(registry.deploy('other').change);
    expect(await directory.get('other', 2)).toBeUndefined(); // a miss, believed briefly
    expect(await directory.get('other')).toMatchObject({ version: 1 });
    directory.changed(registry.deploy('other').change);
    expect(await directory.get('other', 2)).toMatchObject({ version: 2 });
    expect(await directory.get('other')).toMatchObject({ version: 2 });
  });

  it('retires a deleted function without reading its row', async () => {
    const { registry, directory, retired } = setup();
    registry.deploy('doomed');
    await directory.get('doomed');
    directory.changed(registry.remove('doomed'));
    expect(retired).toEqual(['doomed']);
    expect(registry.loads).toEqual(['doomed@latest']);
    expect(await directory.get('doomed')).toBeUndefined();
  });

  it('reads the row after a change of unknown kind, and retires the function when it is gone', async () => {
    const { registry, directory, retired } = setup();
    registry.deploy('kept');
    directory.changed({ name: 'kept', op: 'unknown' });
    directory.changed({ name: 'gone', op: 'unknown' });
    await settle();
    expect(retired).toEqual(['gone']);
    expect(registry.loads.sort()).toEqual(['gone@latest', 'kept@latest']);
  });
});

describe('function directory: after a call', () => {
  it.each([
    ['another function changed (no read)', 'elsewhere', 1],
    ['it was redeployed (one read, to check)', 'steady', 2],
  ])('keeps the pools when %s during the call', async (_what, redeployed, reads) => {
    const { registry, directory, retired } = setup();
    registry.deploy('steady');
    const since = directory.stamp();
    await directory.get('steady');
    directory.changed(registry.deploy(redeployed).change);
    directory.called('steady', since);
    await settle();
    expect(registry.loads).toEqual(Array(reads).fill('steady@latest'));
    expect(retired).toEqual([]);
  });

  it('retires again a function deleted while the call set its pool up', async () => {
    const { registry, directory, retired, pooled } = setup();
    registry.deploy('ephemeral');
    const since = directory.stamp();
    await directory.get('ephemeral');
    directory.changed(registry.remove('ephemeral'));
    pooled.add('ephemeral'); // the call's pool, made after the delete retired the others
    directory.called('ephemeral', since);
    await settle();
    expect(retired).toEqual(['ephemeral', 'ephemeral']);
    expect(pooled.has('ephemeral')).toBe(false);
  });
});

describe('function directory: resync', () => {
  it('forgets every record and retires the pools of functions that no longer exist', async () => {
    const { registry, directory, retired, pooled } = setup();
    registry.deploy('alive');
    await directory.get('alive');
    pooled.add('alive').add('vanished');
    await directory.resync();
    expect(retired).toEqual(['vanished']);
    expect(directory.get('alive')).toBeInstanceOf(Promise);
    expect(registry.loads).toEqual(['alive@latest', 'alive@latest']);
  });

  it('reports a registry it cannot list, and still forgets every record', async () => {
    const { registry, directory, retired, pooled, failures } = setup({
      existing: async () => {
        throw new Error('down');
      },
    });
    registry.deploy('alive');
    await directory.get('alive');
    pooled.add('alive');
    await directory.resync();
    expect(failures).toMatchObject([{ message: 'down' }]);
    expect(retired).toEqual([]);
    expect(directory.get('alive')).toBeInstanceOf(Promise);
  });
});

describe('change clock', () => {
  it('tells a stamp holder that its function changed, and only that one', () => {
    const clock = createChangeClock();
    const before = clock.stamp();
    clock.note({ name: 'hello', op: 'patch' });
    expect(clock.changedSince('hello', before)).toBe(true);
    expect(clock.changedSince('other', before)).toBe(false);
    expect(clock.changedSince('hello', clock.stamp())).toBe(false);
    clock.clear();
    expect(clock.changedSince('other', before)).toBe(true);
  });
});
