import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fillRuntimeLimits, MiniLambdaError, runtimeLimitsSchema } from '@mini-lambda/core';
import { DEFAULT_EXECUTION, defaultSandboxes, machineDefaults } from '@mini-lambda/runtime';
import { migrationsDir } from '@mini-lambda/store';
import { z } from 'zod';
import { egressAllowSchema } from './outbound/index.ts';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secret = z.string().min(16, 'must be at least 16 characters');
/** A pool variable: a number, checked against the runtime's own bound for it. */
const pool = (bound: z.ZodNumber) => z.coerce.number().pipe(bound).optional();
const limit = runtimeLimitsSchema.shape;

/** The environment variables the server reads, by name; values are strings as given. */
const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 characters of A-Z, a-z, 0-9, ".", "_", "-"')
    .optional(),
  DATA_DIR: z.string().min(1).default('.mini-lambda'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('mini-lambda'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  MINI_LAMBDA_DEV: flag.default(false),
  MINI_LAMBDA_API_KEY: secret.optional(),
  MINI_LAMBDA_INVOKE_KEY: secret.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BUILD_CONCURRENCY: int(1, 64).default(2),
  BUILD_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  BUNDLE_CACHE_MB: int(1, 65_536).default(256),
  BODY_BUDGET_MB: int(64, 65_536).default(512),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  MIGRATIONS_DIR: z.string().min(1).optional(),
  SANDBOXES: int(0, 64).default(defaultSandboxes()),
  EGRESS_ALLOW: egressAllowSchema.optional(),
  SANDBOX_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$|^-$/, 'must be a user name, or - to stay as we are')
    .optional(),
  POOL_EXECUTION: limit.execution.optional(),
  POOL_MAX_EXECUTING: pool(limit.maxExecuting),
  POOL_MAX_ISOLATES: pool(limit.maxIsolates),
  POOL_MAX_MEMORY_MB: pool(limit.maxTotalMemoryMb),
  POOL_SPARE_ISOLATES: pool(limit.spareIsolates),
  POOL_INIT_TIMEOUT_MS: pool(limit.initTimeoutMs),
  POOL_IDLE_TTL_MS: pool(limit.idleTtlMs),
  POOL_QUEUE_LIMIT: pool(limit.queueLimit),
  POOL_QUEUE_TIMEOUT_MS: pool(limit.queueTimeoutMs),
  ASYNC_CONCURRENCY: int(1, 10_000).default(64),
  ASYNC_LEASE_GRACE_MS: int(1000, 600_000).default(30_000),
  ASYNC_RETENTION_S: int(60, 2_592_000).default(86_400),
  EMBEDDED_SYNC: z.enum(['accepts', 'commits']).default('accepts'),
});
type Env = z.output<typeof envSchema>;

/**
 * Rules across variables, checked in this order once every value is valid; the first
 * broken one is reported.
 */
const RULES: [variable: keyof Env, message: string, broken: (e: Env) => boolean][] = [
  [
    'MINI_LAMBDA_API_KEY',
    'is required outside dev mode (MINI_LAMBDA_DEV=1)',
    (e) => !e.MINI_LAMBDA_DEV && e.MINI_LAMBDA_API_KEY === undefined,
  ],
  [
    'S3_ACCESS_KEY',
    'is required when S3_ENDPOINT is set',
    (e) => !!e.S3_ENDPOINT && !e.S3_ACCESS_KEY,
  ],
  [
    'S3_SECRET_KEY',
    'is required when S3_ENDPOINT is set',
    (e) => !!e.S3_ENDPOINT && !e.S3_SECRET_KEY,
  ],
];

/** The environment, checked, turned into the server's configuration: described here only. */
const serverConfigSchema = envSchema.transform((e, ctx) => {
  const broken = RULES.find(([, , isBroken]) => isBroken(e));
  if (broken) {
    ctx.addIssue({ code: 'custom', path: [broken[0]], message: broken[1] });
    return z.NEVER;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    instanceId:
      e.INSTANCE_ID ??
      hostname()
        .slice(0, 64)
        .replace(/[^A-Za-z0-9._-]/g, '-'),
    dataDir: resolve(e.DATA_DIR),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.S3_ENDPOINT && e.S3_ACCESS_KEY && e.S3_SECRET_KEY
      ? {
          s3: {
            endpoint: e.S3_ENDPOINT,
            accessKey: e.S3_ACCESS_KEY,
            secretKey: e.S3_SECRET_KEY,
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
          },
        }
      : {}),
    /** Dev mode: a missing API key is generated (and kept in the data directory). */
    dev: e.MINI_LAMBDA_DEV,
    ...(e.MINI_LAMBDA_API_KEY ? { apiKey: e.MINI_LAMBDA_API_KEY } : {}),
    ...(e.MINI_LAMBDA_INVOKE_KEY ? { invokeKey: e.MINI_LAMBDA_INVOKE_KEY } : {}),
    logLevel: e.LOG_LEVEL,
    buildConcurrency: e.BUILD_CONCURRENCY,
    buildTimeoutMs: e.BUILD_TIMEOUT_MS,
    bundleCacheBytes: e.BUNDLE_CACHE_MB * 1024 * 1024,
    /** Request bodies being received, all together. */
    bodyBudgetBytes: e.BODY_BUDGET_MB * 1024 * 1024,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    migrationsDir: e.MIGRATIONS_DIR ? resolve(e.MIGRATIONS_DIR) : migrationsDir,
    /**
     * What the embedded database puts on disk before answering: accepted events (the
     * default), or every commit (slower; the embedded database then survives power loss whole).
     */
    embeddedSync: e.EMBEDDED_SYNC,
    /** The runtime's limits, parsed: the pool variables over this machine's defaults. */
    runtime: fillRuntimeLimits(
      {
        execution: e.POOL_EXECUTION,
        maxExecuting: e.POOL_MAX_EXECUTING,
        maxIsolates: e.POOL_MAX_ISOLATES,
        maxTotalMemoryMb: e.POOL_MAX_MEMORY_MB,
        spareIsolates: e.POOL_SPARE_ISOLATES,
        initTimeoutMs: e.POOL_INIT_TIMEOUT_MS,
        idleTtlMs: e.POOL_IDLE_TTL_MS,
        queueLimit: e.POOL_QUEUE_LIMIT,
        queueTimeoutMs: e.POOL_QUEUE_TIMEOUT_MS,
      },
      machineDefaults(e.SANDBOXES > 0 ? DEFAULT_EXECUTION.sandboxed : DEFAULT_EXECUTION.inProcess),
    ),
    /** Sandbox processes for the isolates; 0 runs them in this process (no crash containment). */
    sandboxes: e.SANDBOXES,
    /** EGRESS_ALLOW: the non-public addresses and hosts functions may reach. */
    egressAllow: e.EGRESS_ALLOW ?? [],
    ...(e.SANDBOX_USER
      ? {
          /** The user sandboxes run as when we are root; default `nobody`, `-` to stay root. */
          sandboxUser: e.SANDBOX_USER,
        }
      : {}),
    /** Asynchronous invocations: delivery on this instance, leases and retention. */
    async: {
      /** Events this instance runs at once, over all functions. */
      concurrency: e.ASYNC_CONCURRENCY,
      /** A lease is the function's timeout_ms plus this; then another instance may take it. */
      leaseGraceMs: e.ASYNC_LEASE_GRACE_MS,
      /** How long finished invocations keep their status. */
      retentionS: e.ASYNC_RETENTION_S,
    },
  };
});

/** The server's configuration, as `parseServerConfig` returns it. */
export type ServerConfig = z.output<typeof serverConfigSchema>;

/**
 * Reads the server's configuration from `env`, once, at start. Empty values count as
 * unset. A bad value throws InvalidConfig naming the variable, so the process can stop
 * with that message instead of failing later.
 */
export function parseServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const given = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = serverConfigSchema.safeParse(given);
  if (!parsed.success) throw configError(parsed.error.issues);
  return parsed.data;
}

function configError(issues: z.core.$ZodIssue[]): MiniLambdaError {
  const variables = issues.map((i) => String(i.path[0]));
  // A value's own issue reads "VAR: what is wrong"; a broken rule reads as a sentence.
  const lines = issues.map((i, n) =>
    i.code === 'custom' ? `${variables[n]} ${i.message}` : `${variables[n]}: ${i.message}`,
  );
  return new MiniLambdaError('InvalidConfig', `Invalid environment: ${lines.join('; ')}`, {
    variables,
  });
}
