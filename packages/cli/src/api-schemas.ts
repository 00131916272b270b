import { z } from 'zod';

// The response bodies of docs/api.md the CLI reads, checked once as they arrive. Unknown fields
// are dropped (or kept, for config, to show them) so a newer server does not break the CLI.

/** An esbuild diagnostic as the server reports it; the place may be unknown. */
export const buildMessageSchema = z.object({
  text: z.string(),
  file: z.string().nullish(),
  line: z.number().nullish(),
  column: z.number().nullish(),
});
export type BuildMessage = z.infer<typeof buildMessageSchema>;

/** `{"error":{"code","message",...details}}` */
export const errorBodySchema = z.object({
  error: z.looseObject({ code: z.string(), message: z.string() }),
});

export const deployResultSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  size: z.number(),
  handler: z.string(),
  created_at: z.string().optional(),
  // docs/api.md leaves the shape open; the bundler sends diagnostics, a plain string is accepted too.
  warnings: z
    .array(z.union([z.string().transform((text) => ({ text })), buildMessageSchema]))
    .default([]),
});
export type DeployResult = z.infer<typeof deployResultSchema>;

export const functionListSchema = z.object({
  functions: z.array(
    z.object({ name: z.string(), latest_version: z.number().int(), updated_at: z.string() }),
  ),
});
export type FunctionSummary = z.infer<typeof functionListSchema>['functions'][number];

/** Loose: fields added to the config later are still shown by `info` and `config`. */
export const functionConfigSchema = z.looseObject({
  timeout_ms: z.number(),
  memory_mb: z.number(),
  max_concurrency: z.number(),
  env: z.record(z.string(), z.string()).default({}),
});
export type RemoteFunctionConfig = z.infer<typeof functionConfigSchema>;

export const functionInfoSchema = z.object({
  name: z.string(),
  latest_version: z.number().int(),
  config: functionConfigSchema,
  versions: z.array(
    z.object({
      version: z.number().int(),
      sha256: z.string(),
      size: z.number(),
      // Servers before handler detection did not send it.
      handler: z.string().optional(),
      created_at: z.string(),
    }),
  ),
});
export type FunctionInfo = z.infer<typeof functionInfoSchema>;

/** docs/api.md says PATCH answers "with the new config": bare, or wrapped as `{config}`; both read. */
export const configUpdateSchema = z.union([
  z.object({ config: functionConfigSchema }).transform((body) => body.config),
  functionConfigSchema,
]);

/** `202 {"invocation_id"}` of an asynchronous invoke. */
export const asyncAcceptedSchema = z.object({ invocation_id: z.string() });

/** An asynchronous invocation's state; loose so fields a newer server adds are printed too. */
export const invocationStatusSchema = z.looseObject({
  invocation_id: z.string(),
  status: z.string(),
  attempts: z.number(),
  created_at: z.string(),
  finished_at: z.string().optional(),
});
export type InvocationStatus = z.infer<typeof invocationStatusSchema>;

export const scheduleSchema = z.looseObject({
  name: z.string(),
  expression: z.string(),
  timezone: z.string().nullable(),
  event: z.unknown(),
  enabled: z.boolean(),
  next_run: z.string().nullable(),
  last_runs: z
    .array(
      z.object({
        tick: z.string(),
        invocation_id: z.string(),
        fired_at: z.string(),
        status: z.string().nullish(),
      }),
    )
    .optional(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const scheduleListSchema = z.object({ schedules: z.array(scheduleSchema) });

export const deadLetterListSchema = z.object({
  dead_letters: z.array(
    z.object({
      invocation_id: z.string(),
      event: z.unknown(),
      error: z.looseObject({ code: z.string(), message: z.string() }),
      attempts: z.number(),
      failed_at: z.string(),
    }),
  ),
});
export type DeadLetter = z.infer<typeof deadLetterListSchema>['dead_letters'][number];

/** `more`: dead letters were left for another call (the server redrives at most 1000 a call). */
export const redriveResultSchema = z.object({
  redriven: z.array(z.string()),
  more: z.boolean().optional(),
});
