import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from 'postgres';

/** A numbered migration: `0001_init.up.sql` with its `0001_init.down.sql`. */
export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
}

// Any fixed number: every instance takes the same lock, so migrations never race.
const MIGRATION_LOCK = 7_345_001;

const FILE = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

/** Reads `dir`; every up needs its down, and versions are unique. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const byVersion = new Map<number, Partial<Migration> & { version: number; name: string }>();
  for (const file of (await readdir(dir)).sort()) {
    const match = FILE.exec(file);
    if (!match) continue;
    const [, num, name, direction] = match as unknown as [string, string, string, 'up' | 'down'];
    const version = Number(num);
    const entry = byVersion.get(version) ?? { version, name };
    if (entry.name !== name)
      throw new Error(`Migration ${num} has two names: ${entry.name} and ${name}`);
    entry[direction] = await readFile(join(dir, file), 'utf8');
    byVersion.set(version, entry);
  }
  return [...byVersion.values()]
    .sort((a, b) => a.version - b.version)
    .map((m) => {
      if (m.up === undefined || m.down === undefined) {
        throw new Error(`Migration ${m.version} (${m.name}) needs both an .up.sql and a .down.sql`);
      }
      return { version: m.version, name: m.name, up: m.up, down: m.down };
    });
}

/**
 * Applies every pending migration in one transaction (all or none), under an advisory lock
 * so that instances starting together apply each exactly once. Returns what it applied.
 */
export async function migrateUp(sql: Sql, migrations: Migration[]): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set(
      (await tx<{ version: number }[]>`SELECT version FROM schema_migrations`).map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.unsafe(m.up);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      applied.push(m.version);
    }
    return applied;
  });
}

/** Reverts the latest applied migration, if any; returns its version. */
export async function migrateDown(sql: Sql, migrations: Migration[]): Promise<number | undefined> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const [latest] = await tx<
      { version: number }[]
    >`SELECT max(version) AS version FROM schema_migrations`;
    if (latest?.version == null) return undefined;
    const migration = migrations.find((m) => m.version === latest.version);
    if (!migration)
      throw new Error(`Migration ${latest.version} is applied but its files are missing`);
    await tx.unsafe(migration.down);
    await tx`DELETE FROM schema_migrations WHERE version = ${migration.version}`;
    return migration.version;
  });
}
