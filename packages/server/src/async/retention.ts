import type { AsyncQueue } from '@mini-lambda/store';
import type { Logger } from 'pino';

/** Dead letters are kept this long (API.md), whatever ASYNC_RETENTION_S says. */
export const DEAD_LETTER_RETENTION_S = 14 * 86_400;
/** Rows deleted per table per batch: each batch is one short transaction. */
const PURGE_LIMIT = 5000;
/**
 * A pass repeats full batches for up to this long, so retention keeps up with thousands
 * of events a second, yet one pass never holds the database (PGlite's single
 * connection, embedded) for long; what is left goes in the next pass.
 */
const PASS_BUDGET_MS = 2000;

export interface RetentionOptions {
  /** Finished invocations keep their status this long (ASYNC_RETENTION_S). */
  retentionS: number;
  everyMs?: number;
  /** Rows per table per batch (tests make it small). */
  batch?: number;
  budgetMs?: number;
  /** Between two batches, so other queries get the database (embedded: its one connection). */
  pauseMs?: number;
}

/**
 * On the embedded database every statement waits for the one before it: small batches with
 * a pause between them keep a purge from holding up requests (a 5,000-row batch held
 * PGlite ~100 ms; 500 rows ~10 ms), and a longer budget keeps the rate it can clean up.
 */
export const EMBEDDED_RETENTION = { batch: 500, pauseMs: 10, budgetMs: 10_000 } as const;

/**
 * Deletes finished invocations, old schedule ticks and old dead letters once a minute, in
 * batches while batches come back full, within a time budget per pass. Every instance
 * runs it; the store lets one purge at a time (an advisory lock).
 */
export function createRetention(
  deps: { queue: Pick<AsyncQueue, 'purge'>; log: Logger },
  options: RetentionOptions,
) {
  let timer: NodeJS.Timeout | undefined;
  let purging: Promise<unknown> | undefined;
  const batch = options.batch ?? PURGE_LIMIT;
  const budgetMs = options.budgetMs ?? PASS_BUDGET_MS;
  let stopped = false;
  /** One pass; how many rows went and how many batches it took. */
  const pass = async (): Promise<{ deleted: number; batches: number; more: boolean }> => {
    const deadline = performance.now() + budgetMs;
    let deleted = 0;
    let batches = 0;
    let more = false;
    try {
      do {
        if (batches > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 0));
        const r = await deps.queue.purge(options.retentionS, DEAD_LETTER_RETENTION_S, batch);
        deleted += r.events + r.deadLetters + r.ticks;
        batches++;
        more = r.more;
      } while (more && !stopped && performance.now() < deadline);
      if (deleted > 0) deps.log.debug({ deleted, batches, more }, 'async retention purged');
    } catch (err) {
      deps.log.warn({ err }, 'async retention could not purge');
    }
    return { deleted, batches, more };
  };
  return {
    /** One pass now (tests). */
    pass,
    start(): void {
      timer ??= setInterval(() => {
        purging ??= pass().finally(() => (purging = undefined));
      }, options.everyMs ?? 60_000).unref();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await purging;
    },
  };
}
