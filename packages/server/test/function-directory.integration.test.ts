import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FunctionChange,
  migrationsDir,
  openStore,
  type Store,
  subscribeChanges,
} from '@mini-lambda/store';
import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionDirectory, type FunctionDirectory } from '../src/function-directory.ts';

// The directory on a real PostgreSQL, told of changes through LISTEN/NOTIFY as a
// clustered instance is: the payloads the registry sends are what it acts on.
let pg: TestPostgres;
let store: Store;
let directory: FunctionDirectory;
let subscription: { close(): Promise<void> };
const dataDir = mkdtempSync(join(tmpdir(), 'ml-directory-'));
const loads: string[] = [];
const heard: FunctionChange[] = [];
const retired: string[] = [];

const SHA = (n: number) => n.toString(16).padStart(64, '0');

beforeAll(async () => {
  pg = await startPostgres();
  store = await openStore({ databaseUrl: pg.url, dataDir, migrationsDir });
  const { registry } = store;
  directory = createFunctionDirectory({
    load: (name, version) => {
      loads.push(name);
      return registry.version(name, version);
    },
    existing: async () => (await registry.list()).map((f) => f.name),
    pooled: async () => [],
    retire: (name) => retired.push(name),
  });
  subscription = await subscribeChanges(store.sql, {
    onChange: (change) => {
      heard.push(change);
      directory.changed(change);
    },
    onResync: () => void directory.resync(),
  });
});

afterAll(async () => {
  await subscription?.close();
  await store?.close();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const heardOf = (name: string) => heard.filter((c) => c.name === name);

describe('function directory on postgresql', () => {
  it('keeps the version it wrote through the echo of its own deploy', async () => {
    for (let i = 1; i <= 3; i++) {
      const since = directory.stamp();
      const fn = await store.registry.deploy('dir-echo', {
        sha256: SHA(i),
        size: i,
        handler: 'event',
      });
      directory.deployed(fn, since); // the echo may have come first, or may come later
      await until(() => heardOf('dir-echo').length === i);
      expect(directory.get('dir-echo')).toMatchObject({ version: i, sha256: SHA(i) });
    }
    expect(loads.filter((n) => n === 'dir-echo')).toEqual([]);
  });

  it('serves a deploy made elsewhere with one read, and retires a delete without one', async () => {
    await store.registry.deploy('dir-other', { sha256: SHA(7), size: 1, handler: 'event' });
    await until(() => heardOf('dir-other').length === 1);
    expect(await directory.get('dir-other')).toMatchObject({ version: 1 });
    await store.registry.deploy('dir-other', { sha256: SHA(8), size: 1, handler: 'event' });
    await until(() => heardOf('dir-other').length === 2);
    expect(await directory.get('dir-other')).toMatchObject({ version: 2, sha256: SHA(8) });
    expect(loads.filter((n) => n === 'dir-other')).toHaveLength(2);
    await store.registry.remove('dir-other');
    await until(() => retired.includes('dir-other'));
    expect(heardOf('dir-other').map((c) => c.op)).toEqual(['deploy', 'deploy', 'delete']);
    expect(loads.filter((n) => n === 'dir-other')).toHaveLength(2);
  });
});
