import type { AsyncPolicy } from '@mini-lambda/core';

export type { AsyncPolicy };

/** The NOTIFY channel an enqueue announces on; the payload is the function's name. */
export const ASYNC_CHANNEL = 'mini_lambda_async';

/** Where an event is in its life. */
export type AsyncState = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead';

/** What the latest failed attempt ended with. */
export interface AsyncError {
  code: string;
  message: string;
  name?: string;
}

/** An event to store, as accepted (or as a destination record, or a schedule's tick). */
export interface NewAsyncEvent {
  id: string;
  functionName: string;
  /** Pinned version; omitted: the latest at delivery. */
  version?: number;
  /** The event's JSON text, stored as is. */
  payload: string;
  policy: AsyncPolicy;
  /** Destination hops that led to this event (0 for an invoke). */
  depth?: number;
}

/** An event leased to one instance for one delivery. Pass it back to complete it as is. */
export interface TakenEvent {
  id: string;
  /** This delivery's token: only a completion holding it is applied. */
  lease: string;
  /**
   * Handed out by `reclaim`: this delivery was lost (MAX_LOST_DELIVERIES in a row), finish
   * it as a failed attempt without running it.
   */
  lost: boolean;
  functionName: string;
  version: number | null;
  payload: string;
  /** Deliveries started, this one included. */
  attempts: number;
  policy: AsyncPolicy;
  depth: number;
  acceptedAt: Date;
  createdAt: Date;
  /**
   * Older than its max event age by the database's clock: do not run it. Completing a
   * taken (not lost) aged event gives its attempt back, since it never ran.
   */
  aged: boolean;
}

/** How a delivery ended, decided by the server. */
export type Completion =
  /** `destination`: the on_success record; `result` NULL when there is none to keep. */
  | { kind: 'succeeded'; result: string | null; destination?: NewAsyncEvent }
  | { kind: 'retry'; delayMs: number; error: AsyncError }
  /** Retries exhausted or aged out, handed to on_failure. */
  | { kind: 'failed'; error: AsyncError; destination: NewAsyncEvent }
  /** Retries exhausted or aged out, with no destination: a dead letter. */
  | { kind: 'dead'; error: AsyncError }
  /**
   * Not run (throttled, quarantined, the instance stops): queued again, the attempt not
   * counted. The only completion that does not end a run of lost deliveries.
   */
  | { kind: 'released'; delayMs: number };

/**
 * `lease_lost`: the event is no longer this delivery's (its lease expired and another
 * instance took it, or the function was deleted), so nothing was written.
 * `destination_missing`: the destination function is gone; a failure became a dead
 * letter instead, a success stayed a success without destination.
 */
export type CompleteResult = 'done' | 'lease_lost' | 'destination_missing';

export interface InvocationStatus {
  id: string;
  functionName: string;
  status: AsyncState;
  attempts: number;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** JSON text of a success's result. */
  result?: string;
  error?: AsyncError;
}

export interface DeadLetter {
  invocationId: string;
  /** The event's JSON text. */
  payload: string;
  error: AsyncError;
  attempts: number;
  failedAt: Date;
}

export interface QueueDepth {
  functionName: string;
  queued: number;
  /** Seconds since the oldest queued event was accepted. */
  oldestAgeS: number;
}

/** What one purge pass deleted, per table. */
export interface PurgeResult {
  events: number;
  deadLetters: number;
  ticks: number;
  /** Some table's batch was full: more may be due, call again. */
  more: boolean;
}

/** Which letters a redrive queued again (sorted), and whether the function has more. */
export interface RedriveResult {
  ids: string[];
  /** Without ids only: letters of the function are left (the call was bounded). */
  more: boolean;
}

export interface DeadLetters {
  /** Newest first. */
  list(functionName: string, limit: number): Promise<DeadLetter[]>;
  remove(functionName: string, id: string): Promise<boolean>;
  /**
   * Queues dead letters again under their own ids, with attempts 0, a fresh age and
   * `policy`. With `ids`: those of them that are letters of the function. Without: at most
   * `limit` (REDRIVE_LIMIT) of its letters, oldest first, and `more` says whether any remain.
   */
  redrive(
    functionName: string,
    ids: string[] | undefined,
    policy: AsyncPolicy,
    limit?: number,
  ): Promise<RedriveResult>;
}

export interface EnqueueOptions {
  /** Announce this event on ASYNC_CHANNEL; default: the queue's `notify`. */
  notify?: boolean;
}

export interface AsyncQueue {
  /** Stores the event (one statement) and announces it when notifying. */
  enqueue(e: NewAsyncEvent, options?: EnqueueOptions): Promise<void>;
  /** Functions with an event due now, the one waiting longest first. */
  readyFunctions(): Promise<string[]>;
  /** Leases up to `limit` due events of `fn`, oldest due first. */
  take(fn: string, limit: number, leaseMs: number, instance: string): Promise<TakenEvent[]>;
  /**
   * Events whose lease expired: the first losses of an event are queued again at once
   * (attempt not counted, not returned); at MAX_LOST_DELIVERIES it is leased to `instance`
   * with attempts unchanged and returned: finish those as failed attempts.
   */
  reclaim(limit: number, leaseMs: number, instance: string): Promise<TakenEvent[]>;
  /**
   * Gives events back without counting their attempts (not run: the instance stops, or the
   * function cannot run now): queued again, due in `delayMs`. Only those this delivery
   * still holds; returns how many.
   */
  release(events: readonly TakenEvent[], delayMs: number): Promise<number>;
  /** Moves the lease on to now + `leaseMs`; false when the delivery no longer holds it. */
  extend(t: TakenEvent, leaseMs: number): Promise<boolean>;
  /**
   * The heartbeat of deliveries still running: each lease ends no sooner than now +
   * `graceMs` (never earlier than it did). Returns how many this instance still holds.
   */
  renew(events: readonly TakenEvent[], graceMs: number): Promise<number>;
  /** Milliseconds until the soonest queued event is due (0: one is due); undefined: none queued. */
  msUntilNextReady(): Promise<number | undefined>;
  complete(t: TakenEvent, instance: string, c: Completion): Promise<CompleteResult>;
  status(fn: string, id: string): Promise<InvocationStatus | undefined>;
  /** Queued events per function (functions with none are absent). */
  depth(): Promise<QueueDepth[]>;
  /**
   * Deletes finished events and schedule ticks older than `retainS` (keeping each
   * schedule's newest ticks) and dead letters older than `deadLetterRetainS`, at most
   * `limit` rows of each; returns how many rows went. All 0 when another instance is purging.
   */
  purge(retainS: number, deadLetterRetainS: number, limit: number): Promise<PurgeResult>;
  deadLetters: DeadLetters;
}
