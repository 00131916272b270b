import type { ApiFailure } from './failure.ts';

/** An error as one surface answers it, before any transport (Hono, a fetch Response, a socket). */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One API surface's way of showing our error values: the native API, HTTP triggers, and
 * later the AWS Lambda API are each one of these over the same {@link ApiFailure}.
 */
export type ErrorSurface = (failure: ApiFailure) => RenderedError;

/**
 * Retry-After in whole seconds, for every surface: the runtime's hint when there is one
 * (at least 1), else on a 429 or 503 the error's `retryAfterSeconds` or 1; none otherwise.
 */
export function retryAfter(failure: ApiFailure): string | undefined {
  const { error, retryAfterMs } = failure;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  if (error.status !== 429 && error.status !== 503) return undefined;
  const seconds = error.details.retryAfterSeconds;
  return String(typeof seconds === 'number' ? seconds : 1);
}
