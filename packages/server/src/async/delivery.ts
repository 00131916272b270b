import type { AsyncQueue, TakenEvent } from '@mini-lambda/store';
import { within } from '../within.ts';
import { type DeliverDeps, deliverOne } from './deliver-one.ts';
import { createWakeSignal } from './wake-signal.ts';

export interface DeliveryDeps
  extends Omit<DeliverDeps, 'abandoned' | 'queue' | 'pause' | 'leaseMs'> {
  queue: Pick<
    AsyncQueue,
    | 'readyFunctions'
    | 'take'
    | 'reclaim'
    | 'msUntilNextReady'
    | 'complete'
    | 'extend'
    | 'release'
    | 'renew'
  >;
}

export interface DeliveryOptions {
  /** Events this instance runs at once, over all functions (ASYNC_CONCURRENCY). */
  concurrency: number;
  /**
   * A lease is timeout_ms plus this (ASYNC_LEASE_GRACE_MS), renewed while the delivery
   * runs, so a wait for a pool slot or a slow completion never lets it lapse.
   */
  leaseGraceMs: number;
  /** The longest wait between two looks at the queue, whatever wakes or not. */
  pollMs?: number;
  /** How often expired leases are looked for. */
  reclaimEveryMs?: number;
}

/** Expired leases finished per look: each is one short transaction. */
const RECLAIM_LIMIT = 100;
/** After a database error the loop waits this long, doubling, at most `MAX_BACKOFF_MS`. */
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
/** The longest a function is paused for (a quarantine may say more; it is looked at again). */
export const MAX_PAUSE_MS = 30_000;
/** How long a stop waits to put unfinished deliveries back (the database may be away). */
const RELEASE_WAIT_MS = 2000;
/** A warning that the queue cannot be read is logged at most this often. */
const WARN_EVERY_MS = 10_000;

/**
 * The delivery loop of one instance. Each round reads the functions with due events and,
 * starting one further along each time, takes for each at most its share of the free
 * slots, and never more than its max_concurrency minus what runs here already: one
 * function's backlog cannot starve another, and an event waits instead of being throttled.
 * It wakes on `wake()` (a local accept, a NOTIFY, a delivery ending), when the next event
 * is due, and at least every `pollMs`.
 */
export function createDelivery(deps: DeliveryDeps, options: DeliveryOptions) {
  const pollMs = options.pollMs ?? 1000;
  const reclaimEveryMs = options.reclaimEveryMs ?? 2000;
  const slackMs = options.leaseGraceMs;
  // Often enough that a live delivery's lease never lapses between two beats.
  const renewEveryMs = Math.max(500, Math.min(10_000, options.leaseGraceMs / 3));
  const signal = createWakeSignal();
  const running = new Map<string, number>();
  const inFlight = new Map<Promise<void>, TakenEvent>();
  /** Functions that cannot run events now (throttled, quarantined, unavailable): until when. */
  const paused = new Map<string, number>();
  let rotation = 0;
  let stopping = false;
  let abandoned = false;
  let loop: Promise<void> | undefined;
  const one: DeliverDeps = {
    ...deps,
    abandoned: () => abandoned,
    pause: (name, ms) => {
      const until = performance.now() + Math.min(ms, MAX_PAUSE_MS);
      paused.set(name, Math.max(paused.get(name) ?? 0, until));
    },
    leaseMs: (timeoutMs) => timeoutMs + slackMs,
  };
  const isPaused = (name: string) => {
    const until = paused.get(name);
    if (until === undefined) return false;
    if (until > performance.now()) return true;
    paused.delete(name);
    return false;
  };

  const launch = (event: TakenEvent, timeoutMs: number) => {
    const name = event.functionName;
    running.set(name, (running.get(name) ?? 0) + 1);
    const delivery = deliverOne(one, event, 'take', timeoutMs).finally(() => {
      const left = (running.get(name) ?? 1) - 1;
      if (left === 0) running.delete(name);
      else running.set(name, left);
      inFlight.delete(delivery);
      signal.ring(); // a slot is free: a waiting event may go now
    });
    inFlight.set(delivery, event);
  };

  /** One pass over the due functions; how many events it took and whether any were due. */
  const round = async (): Promise<{ took: number; due: boolean }> => {
    let free = options.concurrency - inFlight.size;
    if (free <= 0) return { took: 0, due: true };
    const names = await deps.queue.readyFunctions();
    if (names.length === 0) return { took: 0, due: false };
    const start = rotation++ % names.length;
    const share = Math.ceil(free / names.length);
    let took = 0;
    for (let i = 0; i < names.length && free > 0 && !stopping; i++) {
      const name = names[(start + i) % names.length] as string;
      if (isPaused(name)) continue; // it would only be refused again: its events wait
      const fn = await deps.directory.get(name);
      if (!fn) continue; // deleted: its events are going with it
      const room = fn.config.max_concurrency - (running.get(name) ?? 0);
      const limit = Math.min(share, room, free);
      if (limit <= 0) continue;
      const timeoutMs = fn.config.timeout_ms;
      const taken = await deps.queue.take(name, limit, timeoutMs + slackMs, deps.instanceId);
      for (const event of taken) launch(event, timeoutMs);
      free -= taken.length;
      took += taken.length;
    }
    return { took, due: true };
  };

  /** Finishes events whose instance stopped before it finished them, as failed attempts. */
  const reclaim = async () => {
    const taken = await deps.queue.reclaim(RECLAIM_LIMIT, options.leaseGraceMs, deps.instanceId);
    for (const event of taken) await deliverOne(one, event, 'reclaim', 0);
  };

  /**
   * The heartbeat: every delivery still running here keeps its lease at least `grace` ahead,
   * so only an instance that is gone (or cut off from the database) lets one lapse.
   */
  const renew = async () => {
    if (inFlight.size > 0) await deps.queue.renew([...inFlight.values()], options.leaseGraceMs);
  };
  // Its own timer, not a step of the loop: a loop asleep for a poll, or slow in a round,
  // must not delay a beat; and it beats on while a stop waits for the deliveries.
  let heartbeat: NodeJS.Timeout | undefined;
  /** When the beat still waiting on the database started; one at a time, unless it hangs. */
  let beatingSince: number | undefined;
  const beat = () => {
    const now = performance.now();
    if (beatingSince !== undefined && now - beatingSince < options.leaseGraceMs) return;
    beatingSince = now;
    renew()
      .catch((err: unknown) => deps.log.warn({ err }, 'async leases could not be renewed'))
      .finally(() => {
        if (beatingSince === now) beatingSince = undefined;
      });
  };

  /** How long to sleep when a round took nothing: until the next event is due, at most a poll. */
  const idleWait = async (due: boolean) => {
    const ms = await deps.queue.msUntilNextReady();
    if (ms === undefined) return pollMs;
    // Due now but not taken: no room (a delivery ending rings), or it became due just after
    // the round looked (look again soon).
    if (ms <= 0) return due ? pollMs : 10;
    return Math.min(ms, pollMs);
  };

  const run = async () => {
    let backoff = 0;
    let warnedAt = Number.NEGATIVE_INFINITY;
    let failures = 0;
    let reclaimedAt = Number.NEGATIVE_INFINITY;
    while (!stopping) {
      try {
        if (performance.now() - reclaimedAt >= reclaimEveryMs) {
          reclaimedAt = performance.now();
          await reclaim();
        }
        const { took, due } = await round();
        if (failures > 0) deps.log.info({ failures }, 'async delivery reads the queue again');
        backoff = 0;
        failures = 0;
        if (stopping) break;
        if (took > 0) {
          // More may be due: go again while there are free slots, else wait for one.
          if (inFlight.size < options.concurrency) continue;
          await signal.wait(pollMs);
        } else {
          await signal.wait(await idleWait(due));
        }
      } catch (err) {
        // The database is away or failing: never end the loop, back off and look again.
        backoff = Math.min(Math.max(backoff * 2, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
        failures++;
        if (performance.now() - warnedAt >= WARN_EVERY_MS) {
          warnedAt = performance.now();
          deps.log.warn({ err, failures }, 'async delivery could not read the queue');
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  };

  return {
    /** Starts the loop (once). */
    start(): void {
      heartbeat ??= setInterval(beat, renewEveryMs).unref();
      loop ??= run();
    },
    /** Something may be due now (a local accept, a NOTIFY, a reconnect). */
    wake(): void {
      signal.ring();
    },
    /** Events being delivered by this instance now. */
    get inFlight(): number {
      return inFlight.size;
    },
    /**
     * Whether an event of `name` accepted now would be taken here at once: the loop runs,
     * a slot is free overall and for the function, and the function is not paused.
     */
    hasRoom(name: string, maxConcurrency: number): boolean {
      return (
        loop !== undefined &&
        !stopping &&
        inFlight.size < options.concurrency &&
        (running.get(name) ?? 0) < maxConcurrency &&
        !isPaused(name)
      );
    },
    /** Functions paused now (tests, introspection). */
    pausedFunctions(): string[] {
      return [...paused.keys()].filter(isPaused);
    },
    /**
     * Takes nothing more and waits up to `timeoutMs` for deliveries in flight; the ones
     * still running then are abandoned: their outcome is not stored, and they are put back
     * in the queue at once, the attempt not counted (another instance takes them; if this
     * fails, their leases expire and bring them back).
     */
    async stop(timeoutMs: number): Promise<void> {
      stopping = true;
      signal.ring();
      const deadline = performance.now() + timeoutMs;
      await within(loop ?? Promise.resolve(), timeoutMs);
      await within(Promise.allSettled([...inFlight.keys()]), deadline - performance.now());
      abandoned = true;
      clearInterval(heartbeat);
      const left = [...inFlight.values()];
      if (left.length === 0) return;
      const release = deps.queue.release(left, 0).then(
        (released) =>
          deps.log.info({ released, running: left.length }, 'async deliveries released'),
        (err) => deps.log.warn({ err }, 'async deliveries still running left to their leases'),
      );
      await within(release, RELEASE_WAIT_MS);
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;
