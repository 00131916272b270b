import { z } from 'zod';
import { asyncConfigSchema } from './async-config.ts';
import { MiniLambdaError } from './errors.ts';

/** Bounds and defaults of a function's configuration (docs/api.md). */
export const CONFIG_LIMITS = {
  timeoutMs: { min: 1, max: 900_000, default: 3000 },
  memoryMb: { min: 16, max: 1024, default: 128 },
  maxConcurrency: { min: 1, max: 1000, default: 8 },
  /** Like Lambda: all keys and values together at most 4 KB. */
  envBytes: 4096,
  maxSubrequests: { min: 0, max: 1000, default: 50 },
  /** Host patterns in an `egress` list, at most. */
  egressHosts: 100,
} as const;

/**
 * A host pattern of an `egress` list: a DNS name, optionally with a leading `*.` (any
 * subdomain, not the name itself), lower case, no port, no scheme.
 */
const HOST_PATTERN =
  /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `"public"` (public addresses plus EGRESS_ALLOW), `"none"`, or only these hosts. */
const egressSchema = z.union([
  z.literal('public'),
  z.literal('none'),
  z
    .array(z.string().regex(HOST_PATTERN, 'a host pattern is a DNS name, optionally starting *.'))
    .max(CONFIG_LIMITS.egressHosts),
]);

export type EgressConfig = z.infer<typeof egressSchema>;

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

// zod drops an own `__proto__` key silently; refuse it instead of losing it.
const noProtoKey = z
  .unknown()
  .refine(
    (v) => !(v !== null && typeof v === 'object' && Object.hasOwn(v, '__proto__')),
    'the environment key __proto__ is not allowed',
  );

const envSchema = noProtoKey.pipe(
  z
    .record(z.string().regex(ENV_KEY, 'environment keys are letters, digits and _'), z.string())
    .refine(
      (env) =>
        Object.entries(env).reduce(
          (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
          0,
        ) <= CONFIG_LIMITS.envBytes,
      `environment variables may total at most ${CONFIG_LIMITS.envBytes} bytes`,
    ),
);

const { timeoutMs, memoryMb, maxConcurrency, maxSubrequests } = CONFIG_LIMITS;

/** A function's full configuration; every field has a default. */
export const functionConfigSchema = z
  .object({
    timeout_ms: z.number().int().min(timeoutMs.min).max(timeoutMs.max).default(timeoutMs.default),
    memory_mb: z.number().int().min(memoryMb.min).max(memoryMb.max).default(memoryMb.default),
    max_concurrency: z
      .number()
      .int()
      .min(maxConcurrency.min)
      .max(maxConcurrency.max)
      .default(maxConcurrency.default),
    env: envSchema.default({}),
    /** Its HTTP trigger is open even when MINI_LAMBDA_INVOKE_KEY is set. */
    public: z.boolean().default(false),
    egress: egressSchema.default('public'),
    max_subrequests: z
      .number()
      .int()
      .min(maxSubrequests.min)
      .max(maxSubrequests.max)
      .default(maxSubrequests.default),
    /** Retries, event age and destinations of asynchronous invocations; `{}` gets every default. */
    async: asyncConfigSchema.prefault({}),
  })
  .strict();

export type FunctionConfig = z.infer<typeof functionConfigSchema>;

/** A PATCH body: any subset of the config, nothing else. */
export const functionConfigPatchSchema = functionConfigSchema
  .partial()
  .extend({
    timeout_ms: functionConfigSchema.shape.timeout_ms.unwrap().optional(),
    memory_mb: functionConfigSchema.shape.memory_mb.unwrap().optional(),
    max_concurrency: functionConfigSchema.shape.max_concurrency.unwrap().optional(),
    env: envSchema.optional(),
    public: functionConfigSchema.shape.public.unwrap().optional(),
    egress: egressSchema.optional(),
    max_subrequests: functionConfigSchema.shape.max_subrequests.unwrap().optional(),
    // Replaces the whole async object: its missing fields get their defaults, not the old values.
    async: asyncConfigSchema.optional(),
  })
  .strict();

export type FunctionConfigPatch = z.infer<typeof functionConfigPatchSchema>;

/** Parses a full config (missing fields get defaults) or throws `InvalidConfig`. */
export function parseFunctionConfig(input: unknown): FunctionConfig {
  return parseOrThrow(functionConfigSchema, input);
}

/** Parses a config patch or throws `InvalidConfig`. */
export function parseFunctionConfigPatch(input: unknown): FunctionConfigPatch {
  return parseOrThrow(functionConfigPatchSchema, input);
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw new MiniLambdaError(
    'InvalidConfig',
    first ? `Invalid config: ${first.path || '(root)'}: ${first.message}` : 'Invalid config',
    { issues },
  );
}
