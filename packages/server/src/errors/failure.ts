import {
  type ErrorCode,
  FAILURE_ERROR_CODE,
  type FailureReason,
  type InvocationFailure,
  MiniLambdaError,
} from '@mini-lambda/core';

/**
 * An error as every API surface sees it: one of our errors, plus what the invocation
 * that ended in it said. Surfaces render this value; none builds its own.
 */
export interface ApiFailure {
  readonly error: MiniLambdaError;
  /** The runtime's retry hint in ms (throttled, quarantined, a lost sandbox). */
  readonly retryAfterMs?: number;
  /** The function's own code threw, rejected or failed to load (not a limit of ours). */
  readonly functionError?: boolean;
}

/** Our error alone, or with what an invocation said about it. */
export type Failure = MiniLambdaError | ApiFailure;

/** `failure` as an {@link ApiFailure}. */
export function asApiFailure(failure: Failure): ApiFailure {
  const f = failure instanceof MiniLambdaError ? { error: failure } : failure;
  const status = f.error.status;
  if (Number.isInteger(status) && status >= 400 && status <= 599) return f;
  // A code outside the table (`toString`, say) has no status: never render it as one.
  return { error: new MiniLambdaError('InternalError', 'Internal error') };
}

/**
 * The error code a failure reason is reported with. A reason outside the table (a broken
 * or hostile sandbox) is an internal error: never a success, never an undefined status.
 * `Object.hasOwn`, because `toString` or `__proto__` must not find the prototype's.
 */
export function failureCode(reason: string): ErrorCode {
  return Object.hasOwn(FAILURE_ERROR_CODE, reason)
    ? FAILURE_ERROR_CODE[reason as FailureReason]
    : 'InternalError';
}

/** The error of an invocation that ended without a result. */
export function outcomeFailure(outcome: InvocationFailure): ApiFailure {
  const code = failureCode(outcome.reason);
  if (code === 'InternalError') {
    // Nothing the sandbox said about an outcome we do not know is shown.
    return { error: new MiniLambdaError(code, 'The invocation ended in an unknown way') };
  }
  return {
    error: new MiniLambdaError(code, outcome.message, outcome.error ? { ...outcome.error } : {}),
    ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    ...(outcome.reason === 'error' ? { functionError: true } : {}),
  };
}
