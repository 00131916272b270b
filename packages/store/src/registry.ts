import {
  type FunctionConfig,
  type FunctionConfigPatch,
  type FunctionVersion,
  functionConfigSchema,
  type HandlerKind,
  MiniLambdaError,
  parseFunctionConfig,
} from '@mini-lambda/core';
import type { Sql } from 'postgres';
import { CHANGES_CHANNEL, changePayload } from './changes.ts';

export interface FunctionSummary {
  name: string;
  latestVersion: number;
  updatedAt: Date;
}

export interface FunctionDetails extends FunctionSummary {
  config: FunctionConfig;
  versions: {
    version: number;
    sha256: string;
    size: number;
    handler: HandlerKind;
    createdAt: Date;
  }[];
}

export interface NewVersion {
  sha256: string;
  size: number;
  handler: HandlerKind;
  /** Config given with the deploy; merged over the function's current config. */
  config?: FunctionConfigPatch;
}

interface VersionRow {
  name: string;
  version: number;
  sha256: string;
  size: number;
  handler: HandlerKind;
  created_at: Date;
  config: unknown;
}

/** Function records in PostgreSQL; every write announces what it did on CHANGES_CHANNEL. */
export function createRegistry(sql: Sql) {
  const toVersion = (row: VersionRow): FunctionVersion => ({
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    handler: row.handler,
    createdAt: row.created_at,
    config: functionConfigSchema.parse(row.config),
  });

  return {
    /**
     * Records the next version of `name`, atomically: the upsert's row lock serialises
     * concurrent deploys of one name, so each gets its own number and none is lost.
     * The bundle object must already be stored.
     */
    async deploy(name: string, next: NewVersion): Promise<FunctionVersion> {
      return sql.begin(async (tx) => {
        // The merged config is checked before anything is written (InvalidConfig, 400).
        // NO KEY: the name stays, so events and schedules referring to it are not held up.
        const [current] = await tx<{ config: unknown }[]>`
          SELECT config FROM functions WHERE name = ${name} FOR NO KEY UPDATE`;
        const stored = current ? functionConfigSchema.parse(current.config) : {};
        const config = parseFunctionConfig({ ...stored, ...(next.config ?? {}) });
        const [fn] = await tx<{ latest_version: number; config: unknown }[]>`
          INSERT INTO functions (name, latest_version, config)
          VALUES (${name}, 1, ${tx.json(config)})
          ON CONFLICT (name) DO UPDATE
            SET latest_version = functions.latest_version + 1,
                config = EXCLUDED.config,
                updated_at = now()
          RETURNING latest_version, config`;
        if (!fn) throw new MiniLambdaError('InternalError', 'The deploy returned no row');
        const [row] = await tx<VersionRow[]>`
          INSERT INTO function_versions (name, version, sha256, size, handler)
          VALUES (${name}, ${fn.latest_version}, ${next.sha256}, ${next.size}, ${next.handler})
          RETURNING name, version, sha256, size, handler, created_at`;
        const announced = changePayload({ name, op: 'deploy', version: fn.latest_version });
        await tx`SELECT pg_notify(${CHANGES_CHANNEL}, ${announced})`;
        if (!row) throw new MiniLambdaError('InternalError', 'The deploy returned no version row');
        return toVersion({ ...row, config: fn.config });
      });
    },

    /** A version (the latest when `version` is omitted), or undefined. */
    async version(name: string, version?: number): Promise<FunctionVersion | undefined> {
      const [row] = await sql<VersionRow[]>`
        SELECT v.name, v.version, v.sha256, v.size, v.handler, v.created_at, f.config
        FROM function_versions v JOIN functions f ON f.name = v.name
        WHERE v.name = ${name} AND v.version = ${version ?? sql`f.latest_version`}`;
      return row ? toVersion(row) : undefined;
    },

    async list(): Promise<FunctionSummary[]> {
      const rows = await sql<{ name: string; latest_version: number; updated_at: Date }[]>`
        SELECT name, latest_version, updated_at FROM functions ORDER BY name`;
      return rows.map((r) => ({
        name: r.name,
        latestVersion: r.latest_version,
        updatedAt: r.updated_at,
      }));
    },

    async details(name: string): Promise<FunctionDetails | undefined> {
      const [fn] = await sql<
        { name: string; latest_version: number; updated_at: Date; config: unknown }[]
      >`
        SELECT name, latest_version, updated_at, config FROM functions WHERE name = ${name}`;
      if (!fn) return undefined;
      const versions = await sql<VersionRow[]>`
        SELECT name, version, sha256, size, handler, created_at, NULL AS config
        FROM function_versions WHERE name = ${name} ORDER BY version`;
      return {
        name: fn.name,
        latestVersion: fn.latest_version,
        updatedAt: fn.updated_at,
        config: functionConfigSchema.parse(fn.config),
        versions: versions.map((v) => ({
          version: v.version,
          sha256: v.sha256,
          size: v.size,
          handler: v.handler,
          createdAt: v.created_at,
        })),
      };
    },

    /** Applies a config patch; undefined when there is no such function. */
    async patch(name: string, patch: FunctionConfigPatch): Promise<FunctionConfig | undefined> {
      return sql.begin(async (tx) => {
        const [row] = await tx<{ config: unknown }[]>`
          UPDATE functions SET config = config || ${tx.json(patch)}, updated_at = now()
          WHERE name = ${name} RETURNING config`;
        if (!row) return undefined;
        await tx`SELECT pg_notify(${CHANGES_CHANNEL}, ${changePayload({ name, op: 'patch' })})`;
        return functionConfigSchema.parse(row.config);
      });
    },

    /** Deletes the function and its versions; false when there was none. */
    async remove(name: string): Promise<boolean> {
      return sql.begin(async (tx) => {
        const deleted = await tx`DELETE FROM functions WHERE name = ${name}`;
        if (deleted.count === 0) return false;
        await tx`SELECT pg_notify(${CHANGES_CHANNEL}, ${changePayload({ name, op: 'delete' })})`;
        return true;
      });
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
