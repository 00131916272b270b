import { type FailureReason, type InvocationOutcome, NO_LOGS } from '@mini-lambda/core';

/**
 * The outcome of an invocation that ended without a result of the function's, with a
 * Retry-After hint: throttled, quarantined, or lost with its sandbox.
 */
export function notRun(
  reason: Extract<FailureReason, 'throttled' | 'quarantined' | 'crashed'>,
  message: string,
  retryAfterMs: number,
  invocationId: string,
): InvocationOutcome {
  return {
    ok: false,
    reason,
    message,
    retryAfterMs,
    invocationId,
    coldStart: false,
    durationMs: 0,
    logs: NO_LOGS,
  };
}
