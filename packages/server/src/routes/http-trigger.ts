import { randomUUID } from 'node:crypto';
import { type FunctionVersion, functionNotFound, parseFunctionName } from '@mini-lambda/core';
import type { Runtime } from '@mini-lambda/runtime';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { type BodyBudget, readBody } from '../body.ts';
import { outcomeFailure } from '../errors/failure.ts';
import { httpTrigger } from '../errors/http-trigger.ts';
import { sendError } from '../errors/respond.ts';
import type { FunctionDirectory } from '../function-directory.ts';
import { eventOutcome, fetchOutcome, type TriggerOutcome } from '../function-url/answer.ts';
import { functionUrlEvent } from '../function-url/event.ts';
import { httpRequestData } from '../function-url/fetch-style.ts';
import { requestHeaders } from '../function-url/headers.ts';
import { triggerResponse } from '../function-url/response.ts';
import { requestLine, type TriggerRequest } from '../function-url/trigger-request.ts';
import type { Metrics } from '../metrics.ts';

/** API.md: requests and responses on a trigger are buffered, up to 6 MB each. */
const TRIGGER_BODY_LIMIT = 6 * 1024 * 1024;

/** Function console output kept in a server log line (the rest is the function's). */
const LOGGED_LOGS = 1024;

export interface HttpTriggerDeps {
  instanceId: string;
  directory: Pick<FunctionDirectory, 'get' | 'stamp' | 'called'>;
  runtime: Runtime;
  metrics: Metrics;
  log: Logger;
  bodies: BodyBudget;
  /** The invoke key's check; only when `MINI_LAMBDA_INVOKE_KEY` is set. */
  invokeAuth?: MiddlewareHandler;
}

/**
 * `ANY /fn/:name` and `ANY /fn/:name/*`: the latest version of a function answers HTTP.
 * Event style gets the Lambda Function URL event, fetch style a Request; the function's
 * own failures are a bare 502 (`httpTrigger`), their details go to the log.
 */
export function httpTriggerRoutes(deps: HttpTriggerDeps) {
  async function trigger(c: Context): Promise<Response> {
    const started = performance.now();
    const receivedAt = new Date();
    const invocationId = randomUUID();
    c.header('X-Invocation-Id', invocationId); // errors before the call carry it too
    const name = parseFunctionName(c.req.param('name'));
    const since = deps.directory.stamp();
    const found = deps.directory.get(name);
    const fn = found instanceof Promise ? await found : found;
    // Before the 404: without the key, an unknown function and a private one look alike.
    const keyed = deps.invokeAuth !== undefined && fn?.config.public !== true;
    if (keyed) await deps.invokeAuth?.(c, async () => {});
    if (!fn) throw functionNotFound(name);
    const body = await readBody(c, TRIGGER_BODY_LIMIT, deps.bodies);
    const line = requestLine(c);
    const request: TriggerRequest = {
      ...line,
      method: c.req.method,
      headers: requestHeaders(line.headers, keyed),
      body,
    };
    const call = prepare(fn, request, invocationId, receivedAt);
    let result: TriggerOutcome;
    try {
      result = await call();
    } catch (err) {
      deps.log.warn({ function: name, version: fn.version, err }, 'invocation not run');
      throw err;
    } finally {
      deps.directory.called(name, since); // a delete meanwhile must not leave a pool behind
    }
    deps.metrics.invocation(name, result.outcome, performance.now() - started);
    if (!result.ok) {
      const { outcome } = result;
      if (outcome.reason !== 'throttled') {
        deps.log.warn(
          {
            function: name,
            version: fn.version,
            trigger: true,
            invocationId,
            reason: outcome.reason,
            message: outcome.message,
            ...(outcome.error ? { error: outcome.error } : {}),
            logs: outcome.logs.text.slice(-LOGGED_LOGS),
          },
          'invocation failed',
        );
      }
      return sendError(c, outcomeFailure(outcome), httpTrigger);
    }
    const { status, headers, body: content } = result.answer;
    const { response, dropped } = triggerResponse(status, headers, content, {
      'X-Instance-Id': deps.instanceId,
      'X-Invocation-Id': invocationId,
    });
    if (dropped.length > 0) {
      deps.log.warn(
        {
          function: name,
          version: fn.version,
          invocationId,
          dropped: dropped.slice(0, 10).map((n) => n.slice(0, 64)),
        },
        'response headers dropped',
      );
    }
    return response;
  }

  /** The call for the function's style, its input built (and checked) before it runs. */
  function prepare(
    fn: FunctionVersion,
    request: TriggerRequest,
    invocationId: string,
    now: Date,
  ): () => Promise<TriggerOutcome> {
    if (fn.handler === 'fetch') {
      const input = { kind: 'http', request: httpRequestData(request) } as const;
      return async () => fetchOutcome(await deps.runtime.invoke(fn, input, { invocationId }));
    }
    const event = JSON.stringify(
      functionUrlEvent(request, { requestId: invocationId, apiId: fn.name, now }),
    );
    return async () => eventOutcome(await deps.runtime.invoke(fn, event, { invocationId }));
  }

  return new Hono().all('/fn/:name', trigger).all('/fn/:name/*', trigger);
}
