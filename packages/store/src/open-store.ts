import { join } from 'node:path';
import type { FunctionConfigPatch, FunctionVersion, HandlerKind } from '@mini-lambda/core';
import postgres, { type Sql } from 'postgres';
import {
  type AsyncQueue,
  createAsyncQueue,
  createSchedules,
  type Schedules,
} from './async/index.ts';
import { BundleStore } from './bundle-store.ts';
import { type EmbeddedDurability, startEmbeddedPostgres } from './embedded-postgres.ts';
import { createFsObjectStore } from './fs-object-store.ts';
import { migrateUp, readMigrations } from './migrate.ts';
import type { ObjectStore } from './object-store.ts';
import { createRegistry, type Registry } from './registry.ts';
import { createS3ObjectStore, type S3Options } from './s3-object-store.ts';

export interface StoreOptions {
  /** PostgreSQL; without it, embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** S3; without it, files under `dataDir`. */
  s3?: S3Options;
  dataDir: string;
  migrationsDir: string;
  /**
   * Embedded only: `accepts` syncs the WAL when `syncAccepted()` asks (after an accepted
   * event commits); `commits` syncs it at every commit. Default `accepts`.
   */
  embeddedSync?: 'accepts' | 'commits';
}

/** What survives what (`/health` shows it). */
export type StoreDurability = 'postgresql' | EmbeddedDurability;

export interface Store {
  sql: Sql;
  objects: ObjectStore;
  bundles: BundleStore;
  registry: Registry;
  /** Durable asynchronous invocations. */
  queue: AsyncQueue;
  schedules: Schedules;
  /** True on the embedded default: this process is the only writer (no NOTIFY across connections). */
  embedded: boolean;
  /** `postgresql` (as durable as the server's own settings), or the embedded default's. */
  durability: StoreDurability;
  /**
   * Puts every commit made so far on disk; call it after accepting an event, before
   * acknowledging it. No-op on PostgreSQL (its commit already waited for its WAL flush).
   */
  syncAccepted(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Seconds before the next connection attempt after `retries` failed ones: 0.05 s doubling,
 * at most 2 s (jittered). postgres.js's own grows to 20 s, and its LISTEN connection
 * re-subscribes only when it reconnects, so an instance misses every change until then.
 * Measured (a listener, PostgreSQL stopped for 5 s / 12 s, then NOTIFY every 50 ms):
 * notifications were back 3.6 s / 6.1 s after PostgreSQL with postgres.js's backoff,
 * 0.2–0.3 s / 0.5 s with this one.
 */
function reconnectDelayS(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 2);
}

/** Opens PostgreSQL (or embedded PGlite) and object storage, and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const embedded = options.databaseUrl === undefined;
  const pglite = embedded
    ? await startEmbeddedPostgres(join(options.dataDir, 'pglite'), {
        syncEveryCommit: options.embeddedSync === 'commits',
      })
    : undefined;
  const url = pglite?.url ?? (options.databaseUrl as string);
  const sql = postgres(url, {
    max: embedded ? 1 : 10,
    onnotice: () => {},
    backoff: reconnectDelayS,
  });
  try {
    await migrateUp(sql, await readMigrations(options.migrationsDir));
  } catch (err) {
    await sql.end({ timeout: 5 });
    await pglite?.stop();
    throw err;
  }
  const objects = options.s3
    ? createS3ObjectStore(options.s3)
    : createFsObjectStore(join(options.dataDir, 'objects'));
  return {
    sql,
    objects,
    bundles: new BundleStore(objects),
    registry: createRegistry(sql),
    // Embedded, this process holds the only connection: nobody else would hear a NOTIFY.
    queue: createAsyncQueue(sql, { notify: !embedded }),
    schedules: createSchedules(sql, { notify: !embedded }),
    embedded,
    durability: pglite?.durability ?? 'postgresql',
    syncAccepted: pglite ? () => pglite.syncWal() : async () => {},
    async close() {
      await sql.end({ timeout: 5 });
      await pglite?.stop();
    },
  };
}

export interface DeployInput {
  code: string;
  handler: HandlerKind;
  config?: FunctionConfigPatch;
}

/**
 * Records a new version: the bundle object first, then the row that names it, so no row
 * ever points at a missing object (a crash in between leaves only an unreferenced object).
 */
export async function deployVersion(
  store: Pick<Store, 'bundles' | 'registry'>,
  name: string,
  input: DeployInput,
): Promise<FunctionVersion> {
  const sha256 = await store.bundles.put(input.code);
  return store.registry.deploy(name, {
    sha256,
    size: Buffer.byteLength(input.code),
    handler: input.handler,
    ...(input.config ? { config: input.config } : {}),
  });
}
