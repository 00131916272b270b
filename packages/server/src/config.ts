import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniLambdaError, type RuntimeLimitsInput, runtimeLimitsSchema } from '@mini-lambda/core';
import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secret = z.string().min(16, 'must be at least 16 characters');

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
  SANDBOXES: int(0, 64).default(Math.max(1, availableParallelism())),
  SANDBOX_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$|^-$/, 'must be a user name, or - to stay as we are')
    .optional(),
});

/** Pool bounds from the environment, mapped onto the runtime's own limits schema. */
const POOL_VARIABLES = {
  POOL_EXECUTION: 'execution',
  POOL_MAX_EXECUTING: 'maxExecuting',
  POOL_MAX_ISOLATES: 'maxIsolates',
  POOL_MAX_MEMORY_MB: 'maxTotalMemoryMb',
  POOL_SPARE_ISOLATES: 'spareIsolates',
  POOL_INIT_TIMEOUT_MS: 'initTimeoutMs',
  POOL_IDLE_TTL_MS: 'idleTtlMs',
  POOL_QUEUE_LIMIT: 'queueLimit',
  POOL_QUEUE_TIMEOUT_MS: 'queueTimeoutMs',
} as const satisfies Record<string, keyof RuntimeLimitsInput>;

export interface ServerConfig {
  port: number;
  host: string;
  instanceId: string;
  dataDir: string;
  databaseUrl?: string;
  s3?: { endpoint: string; accessKey: string; secretKey: string; bucket: string; region: string };
  /** Dev mode: a missing API key is generated (and kept in the data directory). */
  dev: boolean;
  apiKey?: string;
  invokeKey?: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  buildConcurrency: number;
  buildTimeoutMs: number;
  bundleCacheBytes: number;
  /** Request bodies being received, all together. */
  bodyBudgetBytes: number;
  shutdownTimeoutMs: number;
  migrationsDir: string;
  runtime: RuntimeLimitsInput;
  /** Sandbox processes for the isolates; 0 runs them in this process (no crash containment). */
  sandboxes: number;
  /** The user sandboxes run as when we are root; default `nobody`, `-` to stay root. */
  sandboxUser?: string;
}

const DEFAULT_MIGRATIONS = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/**
 * Reads the server's configuration from `env`, once, at start. Empty values count as
 * unset. A bad value throws InvalidConfig naming the variable, so the process can stop
 * with that message instead of failing later.
 */
export function parseServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const given = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) throw configError(parsed.error.issues, (path) => String(path[0]));
  const e = parsed.data;
  if (!e.MINI_LAMBDA_DEV && e.MINI_LAMBDA_API_KEY === undefined) {
    throw invalid('MINI_LAMBDA_API_KEY', 'is required outside dev mode (MINI_LAMBDA_DEV=1)');
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
    ...(e.S3_ENDPOINT ? { s3: s3Config(e) } : {}),
    dev: e.MINI_LAMBDA_DEV,
    ...(e.MINI_LAMBDA_API_KEY ? { apiKey: e.MINI_LAMBDA_API_KEY } : {}),
    ...(e.MINI_LAMBDA_INVOKE_KEY ? { invokeKey: e.MINI_LAMBDA_INVOKE_KEY } : {}),
    logLevel: e.LOG_LEVEL,
    buildConcurrency: e.BUILD_CONCURRENCY,
    buildTimeoutMs: e.BUILD_TIMEOUT_MS,
    bundleCacheBytes: e.BUNDLE_CACHE_MB * 1024 * 1024,
    bodyBudgetBytes: e.BODY_BUDGET_MB * 1024 * 1024,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    migrationsDir: e.MIGRATIONS_DIR ? resolve(e.MIGRATIONS_DIR) : DEFAULT_MIGRATIONS,
    runtime: runtimeLimits(given),
    sandboxes: e.SANDBOXES,
    ...(e.SANDBOX_USER ? { sandboxUser: e.SANDBOX_USER } : {}),
  };
}

function s3Config(e: z.infer<typeof envSchema>): NonNullable<ServerConfig['s3']> {
  if (!e.S3_ACCESS_KEY) throw invalid('S3_ACCESS_KEY', 'is required when S3_ENDPOINT is set');
  if (!e.S3_SECRET_KEY) throw invalid('S3_SECRET_KEY', 'is required when S3_ENDPOINT is set');
  return {
    endpoint: e.S3_ENDPOINT as string,
    accessKey: e.S3_ACCESS_KEY,
    secretKey: e.S3_SECRET_KEY,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
  };
}

function runtimeLimits(env: Record<string, string | undefined>): RuntimeLimitsInput {
  const input: Record<string, string | number> = {};
  for (const [variable, key] of Object.entries(POOL_VARIABLES)) {
    const value = env[variable];
    if (value === undefined) continue;
    input[key] = key === 'execution' ? value : Number(value);
  }
  const parsed = runtimeLimitsSchema.safeParse(input);
  if (!parsed.success) {
    const variableOf = Object.fromEntries(Object.entries(POOL_VARIABLES).map(([v, k]) => [k, v]));
    throw configError(
      parsed.error.issues,
      (path) => variableOf[String(path[0])] ?? String(path[0]),
    );
  }
  return input as RuntimeLimitsInput;
}

function configError(
  issues: z.core.$ZodIssue[],
  variableOf: (path: PropertyKey[]) => string,
): MiniLambdaError {
  const lines = issues.map((i) => `${variableOf(i.path)}: ${i.message}`);
  return new MiniLambdaError('InvalidConfig', `Invalid environment: ${lines.join('; ')}`, {
    variables: issues.map((i) => variableOf(i.path)),
  });
}

function invalid(variable: string, message: string): MiniLambdaError {
  return new MiniLambdaError('InvalidConfig', `Invalid environment: ${variable} ${message}`, {
    variables: [variable],
  });
}
