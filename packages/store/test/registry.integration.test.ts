import { startPostgres, type TestPostgres } from '@mini-lambda/testkit/postgres';
import { until } from '@mini-lambda/testkit/wait';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  type FunctionChange,
  migrateDown,
  migrateUp,
  migrationsDir,
  type Registry,
  readMigrations,
  subscribeChanges,
} from '../src/index.ts';
import { registryContract, SHA } from './registry-contract.ts';

let pg: TestPostgres;
let sql: Sql;
let registry: Registry;

beforeAll(async () => {
  pg = await startPostgres();
  sql = postgres(pg.url, { max: 10, onnotice: () => {} });
  await migrateUp(sql, await readMigrations(migrationsDir));
  registry = createRegistry(sql);
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await pg?.stop();
});

describe('migrations', () => {
  it('go down and up again, and a second up is a no-op', async () => {
    const migrations = await readMigrations(migrationsDir);
    const versions = migrations.map((m) => m.version);
    expect(await migrateUp(sql, migrations)).toEqual([]);
    for (const v of [...versions].reverse()) expect(await migrateDown(sql, migrations)).toBe(v);
    expect(await migrateDown(sql, migrations)).toBeUndefined();
    expect(await sql`SELECT to_regclass('functions') AS t`).toEqual([{ t: null }]);
    expect(await migrateUp(sql, migrations)).toEqual(versions);
  });

  it('apply each migration exactly once when three migrators start together', async () => {
    const migrations = await readMigrations(migrationsDir);
    const versions = migrations.map((m) => m.version);
    for (const _ of versions) await migrateDown(sql, migrations);
    const clients = [0, 1, 2].map(() => postgres(pg.url, { max: 1, onnotice: () => {} }));
    const applied = await Promise.all(clients.map((c) => migrateUp(c, migrations)));
    await Promise.all(clients.map((c) => c.end({ timeout: 5 })));
    expect(applied.flat()).toEqual(versions);
    expect(await sql`SELECT version FROM schema_migrations ORDER BY version`).toEqual(
      versions.map((version) => ({ version })),
    );
  });
});

registryContract(
  'postgresql',
  () => registry,
  () => sql,
);

describe('registry on postgresql', () => {
  it('announces deploys, patches and deletes on the changes channel, saying what changed', async () => {
    const heard: string[] = [];
    const listener = await sql.listen('mini_lambda_functions', (payload) => heard.push(payload));
    await registry.deploy('reg-notify', { sha256: SHA(5), size: 1, handler: 'event' });
    await registry.deploy('reg-notify', { sha256: SHA(6), size: 1, handler: 'event' });
    await registry.patch('reg-notify', { timeout_ms: 100 });
    await registry.remove('reg-notify');
    for (let i = 0; i < 100 && heard.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await listener.unlisten();
    expect(heard.map((payload) => JSON.parse(payload))).toEqual([
      { name: 'reg-notify', op: 'deploy', version: 1 },
      { name: 'reg-notify', op: 'deploy', version: 2 },
      { name: 'reg-notify', op: 'patch' },
      { name: 'reg-notify', op: 'delete' },
    ]);
  });

  it('resyncs a subscriber whose connection was killed, and keeps delivering', async () => {
    const changes: FunctionChange[] = [];
    let resyncs = 0;
    const listenerSql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const sub = await subscribeChanges(listenerSql, {
      onChange: (c) => changes.push(c),
      onResync: () => resyncs++,
    });
    await registry.deploy('reg-resync', { sha256: SHA(7), size: 1, handler: 'event' });
    await until(() => changes.length === 1);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE pid <> pg_backend_pid() AND query ILIKE 'listen%'`;
    await until(() => resyncs === 1);
    await registry.deploy('reg-resync', { sha256: SHA(8), size: 1, handler: 'event' });
    await until(() => changes.length === 2);
    await sub.close();
    await listenerSql.end({ timeout: 5 });
    expect(resyncs).toBe(1);
    expect(changes).toEqual([
      { name: 'reg-resync', op: 'deploy', version: 1 },
      { name: 'reg-resync', op: 'deploy', version: 2 },
    ]);
  });

  it('refuses a name the API would refuse, at the database too', async () => {
    await expect(
      registry.deploy('../etc', { sha256: SHA(1), size: 1, handler: 'event' }),
    ).rejects.toMatchObject({
      code: '23514',
    });
  });
});
