import {
  functionNotFound,
  type InvocationOutcome,
  MiniLambdaError,
  parseFunctionName,
} from '@mini-lambda/core';
import type { Runtime } from '@mini-lambda/runtime';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { ASYNC_EVENT_LIMIT } from '../async/accept.ts';
import { type BodyBudget, readBody } from '../body.ts';
import type { FunctionDirectory } from '../function-directory.ts';
import { invokeResponse } from '../invoke-response.ts';
import type { Metrics } from '../metrics.ts';

/** docs/api.md: events and results are bounded at 6 MB. */
const INVOKE_BODY_LIMIT = 6 * 1024 * 1024;

export interface InvokeRouteDeps {
  instanceId: string;
  directory: Pick<FunctionDirectory, 'get' | 'stamp' | 'called'>;
  runtime: Runtime;
  metrics: Metrics;
  log: Logger;
  bodies: BodyBudget;
  /** Stores an event for later delivery (checks its JSON and the function); the invocation id. */
  acceptAsync(name: string, version: number | undefined, body: Buffer): Promise<string>;
}

/** Function console output kept in a server log line (the rest is the function's). */
const LOGGED_LOGS = 1024;

/**
 * `POST /functions/:name/invoke`, the hot path: record from memory, raw body in, the
 * isolate's JSON string out; no SQL, no storage read and no JSON parse here when warm.
 * Both handler styles: the runtime hands a fetch-style function `POST /` with the event.
 */
export function invokeRoutes(deps: InvokeRouteDeps) {
  return new Hono().post('/functions/:name/invoke', async (c) => {
    const started = performance.now();
    const name = parseFunctionName(c.req.param('name'));
    const version = parseVersion(c.req.query('version'), name);
    if (isAsync(c.req.header('x-invocation-type'), c.req.query('async'))) {
      if (c.req.query('log') === 'tail') {
        throw new MiniLambdaError('InvalidRequest', 'log=tail applies to synchronous invocations');
      }
      const body = await readBody(c, ASYNC_EVENT_LIMIT, deps.bodies);
      const id = await deps.acceptAsync(name, version, body);
      const location = `/functions/${name}/invocations/${id}`;
      return c.json({ invocation_id: id }, 202, { Location: location, 'X-Invocation-Id': id });
    }
    // The body first: the record is then looked up right before the call, so a delete
    // or deploy has the smallest window to land in between.
    const event = (await readBody(c, INVOKE_BODY_LIMIT, deps.bodies)).toString('utf8');
    const since = deps.directory.stamp();
    const found = deps.directory.get(name, version);
    const fn = found instanceof Promise ? await found : found;
    if (!fn) throw functionNotFound(name, version);
    let outcome: InvocationOutcome;
    try {
      outcome = await deps.runtime.invoke(fn, event);
    } catch (err) {
      deps.log.warn({ function: name, version: fn.version, err }, 'invocation not run');
      throw err;
    } finally {
      deps.directory.called(name, since); // a delete meanwhile must not leave a pool behind
    }
    if (!outcome.ok && outcome.reason === 'invalid_event') {
      // The caller's mistake, not the function's: no invocation is counted.
      return invokeResponse(fn, outcome, false, deps.instanceId);
    }
    deps.metrics.invocation(name, outcome, performance.now() - started);
    if (!outcome.ok && outcome.reason !== 'throttled') {
      deps.log.warn(
        {
          function: name,
          version: fn.version,
          invocationId: outcome.invocationId,
          reason: outcome.reason,
          message: outcome.message,
          logs: outcome.logs.text.slice(-LOGGED_LOGS),
        },
        'invocation failed',
      );
    }
    return invokeResponse(fn, outcome, c.req.query('log') === 'tail', deps.instanceId);
  });
}

/**
 * Lambda's `X-Invocation-Type` (`Event` or `RequestResponse`, any case) or `?async=1|true`
 * (`0|false`: synchronous). Anything else, or the two saying different things, is refused.
 */
function isAsync(header: string | undefined, query: string | undefined): boolean {
  if (header === undefined && query === undefined) return false; // the hot path
  const byHeader = header === undefined ? undefined : invocationType(header);
  const byQuery = query === undefined ? undefined : asyncQuery(query);
  if (byHeader !== undefined && byQuery !== undefined && byHeader !== byQuery) {
    throw new MiniLambdaError(
      'InvalidRequest',
      'X-Invocation-Type and ?async= ask for different invocation types',
    );
  }
  return byHeader ?? byQuery ?? false;
}

function invocationType(value: string): boolean {
  const type = value.trim().toLowerCase();
  if (type === 'event') return true;
  if (type === 'requestresponse') return false;
  throw new MiniLambdaError(
    'InvalidRequest',
    `X-Invocation-Type ${JSON.stringify(value)} is not supported: send Event or RequestResponse`,
  );
}

function asyncQuery(value: string): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new MiniLambdaError('InvalidRequest', 'async must be 1, true, 0 or false');
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
