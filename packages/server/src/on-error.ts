import { MiniLambdaError } from '@mini-lambda/core';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { isUnavailable } from './unavailable.ts';

/**
 * The one place an error becomes a response: our codes map to API.md; an unreachable
 * dependency is 503; anything else is a 500 that is logged but never shown (no stack
 * trace, no path of ours).
 */
export function createErrorHandler(log: Logger) {
  return function onError(err: Error, c: Context): Response {
    const error = toMiniLambdaError(err, log);
    if (error.status === 429 || error.status === 503) {
      const seconds = error.details.retryAfterSeconds;
      c.header('Retry-After', String(typeof seconds === 'number' ? seconds : 1));
    }
    return c.json(error.toJSON(), error.status as 400);
  };
}

function toMiniLambdaError(err: Error, log: Logger): MiniLambdaError {
  if (err instanceof MiniLambdaError) {
    if (err.code === 'InternalError') log.error({ err }, 'internal error');
    return err;
  }
  if (isUnavailable(err)) {
    log.warn({ err }, 'dependency unavailable');
    return new MiniLambdaError(
      'ServiceUnavailable',
      'A dependency (database or storage) is unreachable',
    );
  }
  log.error({ err }, 'unexpected error');
  return new MiniLambdaError('InternalError', 'Internal error');
}
