import { asyncPolicy, isInvocationId, MiniLambdaError, parseFunctionName } from '@mini-lambda/core';
import type { AsyncQueue, DeadLetter, Registry } from '@mini-lambda/store';
import { Hono } from 'hono';
import { readBody } from '../body.ts';
import { parseJsonBody } from '../json-body.ts';
import { requireFunction, splicedJson } from './async-common.ts';

const LIST_DEFAULT = 100;
const LIST_MAX = 1000;
/** `{"ids":[…]}` of up to a thousand ids fits well within it. */
const REDRIVE_BODY_LIMIT = 64 * 1024;
const REDRIVE_IDS_MAX = 1000;

export interface DeadLetterRouteDeps {
  registry: Pick<Registry, 'version'>;
  queue: Pick<AsyncQueue, 'deadLetters'>;
  /** Delivery on this instance looks at the function's queue now (redriven events are ready). */
  wakeAsync?(name: string): void;
}

/** List, redrive and drop a function's dead letters (auth is the caller's). */
export function deadLetterRoutes(deps: DeadLetterRouteDeps) {
  return new Hono()
    .get('/functions/:name/dead-letters', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const limit = parseLimit(c.req.query('limit'));
      const letters = await deps.queue.deadLetters.list(name, limit);
      if (letters.length === 0) await requireFunction(deps.registry, name);
      return splicedJson(c, (raw) => ({
        dead_letters: letters.map((d) => deadLetterJson(d, raw)),
      }));
    })
    .post('/functions/:name/dead-letters/redrive', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const ids = parseRedrive(await readBody(c, REDRIVE_BODY_LIMIT));
      // The current version with the current config: a fixed function gets its events back.
      const fn = await requireFunction(deps.registry, name);
      // Without ids at most REDRIVE_LIMIT letters, oldest first; `more`: call again.
      const { ids: redriven, more } = await deps.queue.deadLetters.redrive(
        name,
        ids,
        asyncPolicy(fn.config.async),
      );
      if (redriven.length > 0) deps.wakeAsync?.(name);
      return c.json({ redriven, more });
    })
    .delete('/functions/:name/dead-letters/:id', async (c) => {
      const name = parseFunctionName(c.req.param('name'));
      const id = c.req.param('id');
      if (isInvocationId(id) && (await deps.queue.deadLetters.remove(name, id))) {
        return c.body(null, 204);
      }
      await requireFunction(deps.registry, name);
      throw new MiniLambdaError(
        'DeadLetterNotFound',
        `Function ${name} has no dead letter ${JSON.stringify(id)}`,
      );
    });
}

function deadLetterJson(d: DeadLetter, raw: (text: string) => unknown) {
  return {
    invocation_id: d.invocationId,
    event: raw(d.payload),
    error: d.error,
    attempts: d.attempts,
    failed_at: d.failedAt.toISOString(),
  };
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return LIST_DEFAULT;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : 0;
  if (n < 1 || n > LIST_MAX) {
    throw new MiniLambdaError(
      'InvalidRequest',
      `limit must be a whole number from 1 to ${LIST_MAX}`,
    );
  }
  return n;
}

/** An empty body redrives every dead letter; `{"ids":[…]}` only those. */
function parseRedrive(body: Buffer): string[] | undefined {
  if (body.length === 0) return undefined;
  const parsed = parseJsonBody(body);
  const ids =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).ids
      : undefined;
  const keys = typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : [];
  if (
    !Array.isArray(ids) ||
    keys.length !== 1 ||
    ids.length > REDRIVE_IDS_MAX ||
    !ids.every((id): id is string => typeof id === 'string' && isInvocationId(id))
  ) {
    throw new MiniLambdaError(
      'InvalidRequest',
      `Send no body (all dead letters) or {"ids": [invocation ids]} with at most ${REDRIVE_IDS_MAX} ids`,
    );
  }
  return ids;
}
