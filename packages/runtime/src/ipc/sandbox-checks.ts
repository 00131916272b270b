import {
  type CapturedLogs,
  FAILURE_ERROR_CODE,
  type FailureReason,
  FUNCTION_NAME_PATTERN,
  type FunctionErrorInfo,
  type InvocationOutcome,
  type ModuleInspection,
  NO_LOGS,
  type OutboundRequest,
} from '@mini-lambda/core';
import { z } from 'zod';
import { checkOutboundRequest as checkRequest } from '../bridge/outbound-request.ts';
import { ERROR_INFO_LIMITS, parseResponseHead } from '../envelope.ts';
import type { PoolStats, RuntimeStats } from '../stats.ts';

/**
 * The longest text an honest sandbox puts in an outcome: console output is at most its
 * `logLimit` characters (the host passes it; 1 MB, the largest setting, when not given),
 * a message or error info at most what the envelope keeps. Longer text is cut, so a
 * sandbox cannot make our logs or an `X-Log-Result` header grow past what its function could.
 */
export const MAX_LOG_CHARS = 1024 * 1024;
/** An outcome's message: the envelope's bound, with room for the words we put before it. */
const MAX_MESSAGE_CHARS = 2 * ERROR_INFO_LIMITS.message;
const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/**
 * A sandbox sent something our sandbox never would: it is broken or compromised, and the
 * supervisor replaces it (restart reason `protocol`).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** What a sandbox reports with each pong. */
export interface Vitals {
  rss: number;
  reservedMb: number;
  isolates: number;
}

/** A platform error crossing the boundary, its code kept so it is ours again on the other side. */
export interface WireError {
  code?: string;
  message?: string;
}

/** JSON from a sandbox, or a ProtocolError naming what it should have been. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError(`${what}: not JSON`);
  }
}

/** JSON from a sandbox checked against `schema`; a ProtocolError naming `what` when it does not fit. */
export function checkedJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const parsed = schema.safeParse(parseJson(text, what));
  if (!parsed.success) throw new ProtocolError(`${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const count = z.number().int().nonnegative();
const poolStatsSchema = z.object({
  // It becomes a metric label: only a function name, never text of the sandbox's choosing.
  function: z.string().regex(FUNCTION_NAME_PATTERN),
  version: count,
  size: count,
  busy: count,
  idle: count,
  waiting: count,
  max: count,
  invocations: count,
  cold_starts: count,
  errors: count,
  timeouts: count,
  throttles: count,
  evictions: count,
}) satisfies z.ZodType<PoolStats>;

/** A sandbox's runtime stats; `sandboxes` is the host's to add, so none is taken from it. */
export const runtimeStatsSchema = z.object({
  totals: z.object({
    isolates: count,
    busy: count,
    idle: count,
    waiting: count,
    executing: count,
    waiting_for_cpu: count,
    spares: count,
    spares_taken: count,
    reserved_memory_mb: z.number().nonnegative(),
  }),
  pools: z.array(poolStatsSchema),
}) satisfies z.ZodType<RuntimeStats>;

/** A deploy's inspection: a style, or why none, with its message cut as an outcome's is. */
export const inspectionSchema = z.union([
  z.object({ ok: z.literal(true), style: z.enum(['event', 'fetch']) }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['no_handler', 'init_failed']),
    message: z.string().transform((m) => cut(m, MAX_MESSAGE_CHARS)),
  }),
]) satisfies z.ZodType<ModuleInspection>;

/** An inspection request (host → sandbox): the function's name and env as top-level code sees them. */
export const inspectRequestSchema = z.object({
  memoryMb: z.number().positive(),
  name: z.string().max(64).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const vitalsSchema = z.object({
  rss: z.number().nonnegative(),
  reservedMb: z.number().nonnegative(),
  isolates: count,
}) satisfies z.ZodType<Vitals>;

/** Our codes and Node's are short names; a message is cut as an outcome's is. */
export const wireErrorSchema = z.object({
  code: z.string().max(64).optional(),
  message: z
    .string()
    .transform((m) => cut(m, MAX_MESSAGE_CHARS))
    .optional(),
}) satisfies z.ZodType<WireError>;

const REASONS: ReadonlySet<string> = new Set(Object.keys(FAILURE_ERROR_CODE));

/**
 * An outcome a sandbox sent (`v`, its parsed JSON without the result, and `result`, the
 * raw result string), checked by hand and copied field by field: nothing it added travels
 * on, and a reason outside FailureReason is a ProtocolError, never a success.
 *
 * By hand because it runs once per call. Measured with test/outcome-check-bench.ts (Node
 * 24, 2-core EPYC, best of 5 × 1M): the check costs ≈ 0.08 µs per success and ≈ 0.09 µs
 * per failure with error info, the equivalent zod schema ≈ 0.15 µs and ≈ 0.2 µs, and
 * JSON.parse of the same outcome, which both need first, ≈ 0.55 µs and ≈ 1.1 µs.
 */
export function checkOutcome(
  v: unknown,
  result: string,
  logChars = MAX_LOG_CHARS,
): InvocationOutcome {
  if (typeof v !== 'object' || v === null) throw new ProtocolError('outcome: not an object');
  const o = v as Record<string, unknown>;
  const { invocationId, coldStart, durationMs, initDurationMs } = o;
  if (typeof invocationId !== 'string') throw bad('invocationId');
  if (typeof coldStart !== 'boolean') throw bad('coldStart');
  if (!isDuration(durationMs)) throw bad('durationMs');
  if (initDurationMs !== undefined && !isDuration(initDurationMs)) throw bad('initDurationMs');
  const logs = checkLogs(o.logs, logChars);
  const base =
    initDurationMs === undefined
      ? { invocationId, coldStart, durationMs, logs }
      : { invocationId, coldStart, durationMs, initDurationMs, logs };
  if (o.ok === true) {
    if (o.response === undefined) return { ok: true, result, ...base };
    // A fetch-style function's response: its head here, its body as base64 in `result`.
    const response = parseResponseHead(o.response);
    if (!response) throw bad('response');
    const body = Buffer.from(result, 'base64');
    response.body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { ok: true, result: '', response, ...base };
  }
  if (o.ok !== false) throw bad('ok');
  if (result !== '') throw new ProtocolError('outcome: a failure with a result');
  const { reason, message, error, retryAfterMs } = o;
  if (typeof reason !== 'string' || !REASONS.has(reason)) throw bad('reason');
  if (typeof message !== 'string') throw bad('message');
  const failure: InvocationOutcome = {
    ok: false,
    reason: reason as FailureReason,
    message: cut(message, MAX_MESSAGE_CHARS),
    ...base,
  };
  if (error !== undefined) failure.error = checkErrorInfo(error);
  if (retryAfterMs !== undefined) {
    if (!isDuration(retryAfterMs)) throw bad('retryAfterMs');
    failure.retryAfterMs = retryAfterMs;
  }
  return failure;
}

/** A function's outbound request as a sandbox relays it; one our sandbox would refuse is a fault. */
export function checkOutboundRequest(v: unknown): OutboundRequest {
  try {
    return checkRequest(v);
  } catch (err) {
    throw new ProtocolError(`fetch: ${err instanceof Error ? err.message : 'malformed'}`);
  }
}

function bad(field: string): ProtocolError {
  return new ProtocolError(`outcome: bad ${field}`);
}

function isDuration(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v < Number.POSITIVE_INFINITY;
}

function checkLogs(v: unknown, logChars: number): CapturedLogs {
  if (typeof v !== 'object' || v === null) throw bad('logs');
  const { text, dropped } = v as Record<string, unknown>;
  if (typeof text !== 'string' || !Number.isSafeInteger(dropped) || (dropped as number) < 0)
    throw bad('logs');
  if (text === '' && dropped === 0) return NO_LOGS;
  // The newest characters are kept, as the prelude keeps them.
  return {
    text: text.length > logChars ? text.slice(-logChars) : text,
    dropped: dropped as number,
  };
}

function checkErrorInfo(v: unknown): FunctionErrorInfo {
  if (typeof v !== 'object' || v === null) throw bad('error');
  const { name, message, stack } = v as Record<string, unknown>;
  if (typeof name !== 'string' || typeof message !== 'string' || typeof stack !== 'string')
    throw bad('error');
  return {
    name: cut(name, ERROR_INFO_LIMITS.name),
    message: cut(message, ERROR_INFO_LIMITS.message),
    stack: cut(stack, ERROR_INFO_LIMITS.stack),
  };
}
