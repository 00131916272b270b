import { randomUUID } from 'node:crypto';
import { asyncPolicy, functionNotFound, MiniLambdaError } from '@mini-lambda/core';
import type { AsyncQueue } from '@mini-lambda/store';
import type { FunctionDirectory } from '../function-directory.ts';
import type { AsyncObserver } from './async-metrics.ts';

/** API.md: an asynchronous event is at most 1 MB (it is stored in PostgreSQL). */
export const ASYNC_EVENT_LIMIT = 1024 * 1024;

export interface AcceptDeps {
  directory: Pick<FunctionDirectory, 'get'>;
  queue: Pick<AsyncQueue, 'enqueue'>;
  /** Makes what was committed survive the machine, where the store needs a step for it. */
  syncAccepted?: (() => Promise<void>) | undefined;
  /** The local delivery loop: something new is ready. */
  wake: (functionName: string) => void;
  /**
   * Whether this instance will deliver an event of the function at once. Then other
   * instances are not woken (NOTIFY), sparing every instance a look at the queue; they
   * still find anything left within their poll.
   */
  deliversNow?: (functionName: string, maxConcurrency: number) => boolean;
  metrics: Pick<AsyncObserver, 'accepted'>;
}

/**
 * Stores one event for asynchronous delivery and returns its invocation id; it resolves
 * after the event is committed (and synced, on a store that needs it), so a 202 promises
 * the event survives. The version, when given, is the one delivery runs.
 */
export async function acceptAsync(
  deps: AcceptDeps,
  name: string,
  version: number | undefined,
  body: Buffer,
): Promise<string> {
  if (body.length > ASYNC_EVENT_LIMIT) {
    throw new MiniLambdaError(
      'PayloadTooLarge',
      `An asynchronous event may be at most ${ASYNC_EVENT_LIMIT} bytes`,
    );
  }
  const text = body.length === 0 ? 'null' : body.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw new MiniLambdaError('InvalidJSON', 'The event is not valid JSON');
  }
  const found = deps.directory.get(name, version);
  const fn = found instanceof Promise ? await found : found;
  if (!fn) throw functionNotFound(name, version);
  const id = randomUUID();
  const local = deps.deliversNow?.(name, fn.config.max_concurrency) ?? false;
  await deps.queue.enqueue(
    {
      id,
      functionName: name,
      ...(version === undefined ? {} : { version }),
      payload: text,
      policy: asyncPolicy(fn.config.async),
    },
    // Otherwise the queue's own setting: it announces on PostgreSQL, never when embedded.
    local ? { notify: false } : undefined,
  );
  await deps.syncAccepted?.();
  deps.metrics.accepted(name);
  deps.wake(name);
  return id;
}
