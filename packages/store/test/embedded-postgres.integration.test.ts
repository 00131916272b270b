import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  type EmbeddedPostgres,
  migrateDown,
  migrateUp,
  migrationsDir,
  type Registry,
  readMigrations,
  startEmbeddedPostgres,
} from '../src/index.ts';
import { registryContract, SHA } from './registry-contract.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mini-lambda-pglite-'));
let db: EmbeddedPostgres;
let sql: Sql;
let registry: Registry;

beforeAll(async () => {
  db = await startEmbeddedPostgres(dataDir);
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrateUp(sql, await readMigrations(migrationsDir));
  registry = createRegistry(sql);
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

registryContract(
  'pglite',
  () => registry,
  () => sql,
);

describe('embedded PostgreSQL', () => {
  it('runs the same migrations down and up', async () => {
    const migrations = await readMigrations(migrationsDir);
    const versions = migrations.map((m) => m.version);
    expect(await migrateUp(sql, migrations)).toEqual([]);
    for (const v of [...versions].reverse()) expect(await migrateDown(sql, migrations)).toBe(v);
    expect(await migrateUp(sql, migrations)).toEqual(versions);
  });

  it('keeps what was deployed across a restart', async () => {
    await registry.deploy('kept', { sha256: SHA(3), size: 3, handler: 'event' });
    await sql.end({ timeout: 5 });
    await db.stop();
    db = await startEmbeddedPostgres(dataDir);
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    registry = createRegistry(sql);
    expect(await registry.version('kept')).toMatchObject({ version: 1, sha256: SHA(3) });
  });
});
