import { z } from 'zod';
import { FUNCTION_NAME_PATTERN } from './names.ts';

/** Bounds and defaults of a function's `async` config (API.md, "Asynchronous invocations"). */
export const ASYNC_LIMITS = {
  maxRetries: { min: 0, max: 2, default: 2 },
  retryDelayMs: { min: 100, max: 900_000, default: 60_000 },
  maxEventAgeS: { min: 1, max: 21_600, default: 21_600 },
} as const;

const { maxRetries, retryDelayMs: delay, maxEventAgeS } = ASYNC_LIMITS;

const destination = z
  .string()
  .regex(FUNCTION_NAME_PATTERN, 'a destination is the name of a function of this server');

/**
 * How asynchronous invocations of a function are retried and where their records go.
 * Every field has a default, so `{}` is a complete config.
 */
export const asyncConfigSchema = z
  .object({
    max_retries: z
      .number()
      .int()
      .min(maxRetries.min)
      .max(maxRetries.max)
      .default(maxRetries.default),
    retry_delay_ms: z.number().int().min(delay.min).max(delay.max).default(delay.default),
    max_event_age_s: z
      .number()
      .int()
      .min(maxEventAgeS.min)
      .max(maxEventAgeS.max)
      .default(maxEventAgeS.default),
    on_success: destination.optional(),
    on_failure: destination.optional(),
  })
  .strict();

export type AsyncConfig = z.infer<typeof asyncConfigSchema>;

/** The retry policy an accepted event carries (the store's `AsyncPolicy`). */
export interface AsyncPolicy {
  maxRetries: number;
  retryDelayMs: number;
  maxEventAgeS: number;
}

/** The policy of a parsed async config. */
export function asyncPolicy(config: AsyncConfig): AsyncPolicy {
  return {
    maxRetries: config.max_retries,
    retryDelayMs: config.retry_delay_ms,
    maxEventAgeS: config.max_event_age_s,
  };
}

/**
 * The wait after failed attempt number `attempts` (1-based) before the next one: the delay
 * doubles each time, like Lambda's one then two minutes.
 */
export function retryDelayMs(policy: Pick<AsyncPolicy, 'retryDelayMs'>, attempts: number): number {
  return policy.retryDelayMs * 2 ** Math.max(0, attempts - 1);
}
