import { MiniLambdaError } from '@mini-lambda/core';
import type { ApiFailure } from './failure.ts';
import { nativeApi } from './native-api.ts';
import type { RenderedError } from './surface.ts';

/** What a trigger's caller learns when the function failed: nothing of its message or stack. */
const FUNCTION_FAILED = JSON.stringify(
  new MiniLambdaError('FunctionError', 'The function failed').toJSON(),
);

/**
 * HTTP triggers (`/fn/:name/*`): the caller is the function's public, not its owner, so
 * a failure of the function's own code is a bare `502` (a bad gateway answer, as a proxy
 * gives for a broken upstream); our own errors read as in the native API.
 */
export function httpTrigger(failure: ApiFailure): RenderedError {
  if (failure.error.code !== 'FunctionError') return nativeApi(failure);
  return { status: 502, headers: { 'Content-Type': 'application/json' }, body: FUNCTION_FAILED };
}
