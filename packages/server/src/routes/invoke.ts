import { MiniLambdaError, parseFunctionName } from '@mini-lambda/core';
import type { Runtime } from '@mini-lambda/runtime';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { readBody } from '../body.ts';
import type { FunctionCache } from '../function-cache.ts';
import { invokeResponse } from '../invoke-response.ts';
import type { Metrics } from '../metrics.ts';
import { notFound } from './functions.ts';

/** API.md: events and results are bounded at 6 MB. */
const INVOKE_BODY_LIMIT = 6 * 1024 * 1024;

export interface InvokeRouteDeps {
  instanceId: string;
  functions: FunctionCache;
  runtime: Runtime;
  metrics: Metrics;
  log: Logger;
}

/**
 * `POST /functions/:name/invoke`, the hot path: record from memory, raw body in, the
 * isolate's JSON string out; no SQL, no storage read and no JSON parse here when warm.
 */
export function invokeRoutes(deps: InvokeRouteDeps) {
  return new Hono()
    .post('/functions/:name/invoke', async (c) => {
      const started = performance.now();
      const name = parseFunctionName(c.req.param('name'));
      const version = parseVersion(c.req.query('version'), name);
      const found = deps.functions.get(name, version);
      const fn = found instanceof Promise ? await found : found;
      if (!fn) throw notFound(name, version);
      if (fn.handler === 'fetch') {
        throw new MiniLambdaError(
          'NotImplemented',
          `${name} is a fetch-style function (export default { fetch }); those are not served yet`,
        );
      }
      const event = (await readBody(c, INVOKE_BODY_LIMIT)).toString('utf8');
      const outcome = await deps.runtime.invoke(fn, event);
      deps.metrics.invocation(name, outcome, performance.now() - started);
      if (!outcome.ok && outcome.reason !== 'throttled' && outcome.reason !== 'invalid_event') {
        deps.log.warn(
          {
            function: name,
            version: fn.version,
            invocationId: outcome.invocationId,
            reason: outcome.reason,
            message: outcome.message,
            logs: outcome.logs.text,
          },
          'invocation failed',
        );
      }
      return invokeResponse(fn, outcome, c.req.query('log') === 'tail', deps.instanceId);
    })
    .all('/fn/:name/*', (c) => {
      parseFunctionName(c.req.param('name'));
      throw new MiniLambdaError(
        'NotImplemented',
        'HTTP triggers for fetch-style functions are not served yet',
      );
    });
}

function parseVersion(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw new MiniLambdaError(
      'FunctionNotFound',
      `Version ${JSON.stringify(value)} of function ${name} does not exist: versions are positive whole numbers`,
    );
  }
  return Number(value);
}
