import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAsyncQueue,
  createRegistry,
  createSchedules,
  type EmbeddedPostgres,
  migrateDown,
  migrateUp,
  migrationsDir,
  readMigrations,
  startEmbeddedPostgres,
} from '../src/index.ts';
import { type AsyncEnv, asyncContract } from './async-contract.ts';
import { asyncRobustnessContract } from './async-robustness-contract.ts';
import { schedulesContract } from './async-schedules-contract.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mini-lambda-async-pglite-'));
let db: EmbeddedPostgres;
let sql: Sql;
let env: AsyncEnv;

beforeAll(async () => {
  db = await startEmbeddedPostgres(dataDir);
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrateUp(sql, await readMigrations(migrationsDir));
  // As openStore does embedded: one connection, nobody to notify.
  env = {
    sql,
    queue: createAsyncQueue(sql, { notify: false }),
    schedules: createSchedules(sql, { notify: false }),
    registry: createRegistry(sql),
  };
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

asyncContract('pglite', () => env);
schedulesContract('pglite', () => env);
asyncRobustnessContract('pglite', () => env);

describe('async tables on pglite', () => {
  it('migrate down and up again', async () => {
    const migrations = await readMigrations(migrationsDir);
    const last = migrations.at(-1)?.version;
    expect(last).toBeGreaterThanOrEqual(2);
    // Down to 0001, then up: the async tables go and come back empty.
    for (let v = last as number; v > 1; v--) expect(await migrateDown(sql, migrations)).toBe(v);
    expect(await sql`SELECT to_regclass('async_events') AS t`).toEqual([{ t: null }]);
    expect(await sql`SELECT to_regclass('functions') AS t`).not.toEqual([{ t: null }]);
    expect((await migrateUp(sql, migrations)).at(0)).toBe(2);
    expect(await sql`SELECT count(*)::integer AS n FROM async_events`).toEqual([{ n: 0 }]);
  });
});
