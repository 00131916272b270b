import type { ApiFailure } from './failure.ts';
import { type RenderedError, retryAfter } from './surface.ts';

/**
 * The native API (API.md): `{"error":{...details,"code","message"}}` with the code's
 * status, Retry-After on throttling and unavailability, and `X-Function-Error: Unhandled`
 * when the function's own code failed (as Lambda's Invoke answers).
 */
export function nativeApi(failure: ApiFailure): RenderedError {
  const { error } = failure;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (failure.functionError) headers['X-Function-Error'] = 'Unhandled';
  const retry = retryAfter(failure);
  if (retry !== undefined) headers['Retry-After'] = retry;
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}
