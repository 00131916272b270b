import { type ErrorCode, MiniLambdaError } from '@mini-lambda/core';
import type { ApiFailure } from './failure.ts';
import { nativeApi } from './native-api.ts';
import type { RenderedError } from './surface.ts';

/** What a trigger's caller learns when the function failed: nothing of its message or stack. */
const FUNCTION_FAILED = JSON.stringify(
  new MiniLambdaError('FunctionError', 'The function failed').toJSON(),
);

/**
 * The function's own failures: its code threw, or it answered with something that is no
 * HTTP response (not JSON-serialisable, too large, a bad status or base64 body).
 */
const FUNCTION_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FunctionError',
  'InvalidResult',
  'ResultTooLarge',
]);

/**
 * HTTP triggers (`/fn/:name/*`): the caller is the function's public, not its owner, so
 * a failure of the function's own code or result is a bare `502` (a bad gateway answer,
 * as a proxy gives for a broken upstream); our own errors read as in the native API.
 */
export function httpTrigger(failure: ApiFailure): RenderedError {
  if (!FUNCTION_FAILURES.has(failure.error.code)) return nativeApi(failure);
  return { status: 502, headers: { 'Content-Type': 'application/json' }, body: FUNCTION_FAILED };
}
