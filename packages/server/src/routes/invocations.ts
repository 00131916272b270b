import { isInvocationId, MiniLambdaError, parseFunctionName } from '@mini-lambda/core';
import type { AsyncQueue, InvocationStatus, Registry } from '@mini-lambda/store';
import { Hono } from 'hono';
import { requireFunction, splicedJson } from './async-common.ts';

export interface InvocationRouteDeps {
  registry: Pick<Registry, 'version'>;
  queue: Pick<AsyncQueue, 'status'>;
}

/** `GET /functions/:name/invocations/:id`: an asynchronous invocation's state (auth is the caller's). */
export function invocationRoutes(deps: InvocationRouteDeps) {
  return new Hono().get('/functions/:name/invocations/:id', async (c) => {
    const name = parseFunctionName(c.req.param('name'));
    const id = c.req.param('id');
    const status = isInvocationId(id) ? await deps.queue.status(name, id) : undefined;
    if (!status) {
      await requireFunction(deps.registry, name);
      throw new MiniLambdaError(
        'InvocationNotFound',
        `Function ${name} has no invocation ${JSON.stringify(id)} (or it is past its retention)`,
      );
    }
    return splicedJson(c, (raw) => statusJson(status, raw));
  });
}

/**
 * The status JSON of API.md: times in ISO 8601, `result` as the JSON value it is (`raw`
 * places the stored text, see splicedJson).
 */
export function statusJson(s: InvocationStatus, raw: (text: string) => unknown) {
  return {
    invocation_id: s.id,
    status: s.status,
    attempts: s.attempts,
    created_at: s.createdAt.toISOString(),
    ...(s.startedAt ? { started_at: s.startedAt.toISOString() } : {}),
    ...(s.finishedAt ? { finished_at: s.finishedAt.toISOString() } : {}),
    ...(s.result !== undefined ? { result: raw(s.result) } : {}),
    ...(s.error ? { error: s.error } : {}),
  };
}
