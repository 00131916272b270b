import { MiniLambdaError } from '@mini-lambda/core';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { sendError } from './errors/respond.ts';
import type { ErrorSurface } from './errors/surface.ts';
import { isUnavailable } from './unavailable.ts';

/**
 * Hono's error handler: what a route threw becomes one of our errors (an unreachable
 * dependency is 503; anything else is a 500 that is logged but never shown: no stack
 * trace, no path of ours), rendered by `surface` (default: the native API).
 */
export function createErrorHandler(log: Logger, surface?: ErrorSurface) {
  return function onError(err: Error, c: Context): Response {
    return sendError(c, toMiniLambdaError(err, log), surface);
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
