import {
  type AsyncConfig,
  type AsyncPolicy,
  type DestinationCondition,
  type DestinationRecordInput,
  destinationRecord,
  type InvocationOutcome,
  retryDelayMs,
} from '@mini-lambda/core';
import type { AsyncError, Completion, NewAsyncEvent, TakenEvent } from '@mini-lambda/store';
import { failureCode } from '../errors/failure.ts';
import { ASYNC_EVENT_LIMIT } from './accept.ts';
import type { DeliveryOutcome } from './async-metrics.ts';
import { jsonSplicer } from './json-text.ts';

/**
 * Destination hops an event may have behind it and still send a record: A → B → A … ends
 * here instead of running forever.
 */
export const MAX_DESTINATION_DEPTH = 16;

/**
 * How long an event that was not run (throttled, quarantined) waits before it is taken
 * again: the runtime's retryAfterMs (a quarantine's remaining time), within these bounds.
 */
export const RELEASE_DELAY_MS = { min: 100, max: 30_000, default: 250 } as const;

/** The code a failure is dead-lettered with when its on_failure record is over 1 MB. */
export const RECORD_TOO_LARGE = 'DestinationRecordTooLarge';

/** What happened to one taken event. */
export type Attempt =
  /** It ran and ended in `outcome`. */
  | { kind: 'ran'; outcome: InvocationOutcome }
  /** It was older than its max_event_age_s when taken: not run. */
  | { kind: 'aged' }
  /** Its lease expired: the instance delivering it stopped before it finished. */
  | { kind: 'lease_expired' }
  /** We could not run it (its code could not be loaded, say): a failed attempt all the same. */
  | { kind: 'not_run'; error: AsyncError }
  /**
   * Not run because something of ours is unreachable (storage, the sandbox runtime): not
   * the function's failure, so released uncounted, the function paused `pauseMs`.
   */
  | { kind: 'unavailable'; pauseMs: number };

export interface DecideContext {
  /** The function's async config now (destinations are read at delivery, like Lambda's). */
  config: AsyncConfig;
  /** The policy an event sent to destination `name` carries (its function's). */
  destinationPolicy: (name: string) => AsyncPolicy;
  /** A fresh invocation id for a destination event. */
  newId: () => string;
  /** The destination record's timestamp. */
  now: Date;
}

/** The completion to store, and what to count about it. */
export interface Decision {
  completion: Completion;
  /** The deliveries counter's label; absent when the event was not run (released). */
  delivery?: DeliveryOutcome;
  /** The condition of the destination record sent. */
  condition?: DestinationCondition;
  /** A destination was due but the event is too deep in a destination chain. */
  loopBounded?: boolean;
  /** A destination was due but its record (this many bytes) is over ASYNC_EVENT_LIMIT. */
  recordTooLarge?: number;
  /** Not run for a reason of ours or the runtime's: pause the function this long. */
  pauseMs?: number;
}

export const LEASE_EXPIRED: AsyncError = {
  code: 'LeaseExpired',
  message: 'the instance delivering it stopped before it finished',
};

/**
 * Decides what becomes of a taken event: pure, so every rule of API.md's "Asynchronous
 * invocations" is tested without a database. `event.attempts` counts this attempt.
 */
export function decide(event: TakenEvent, attempt: Attempt, ctx: DecideContext): Decision {
  if (attempt.kind === 'aged') return agedOut(event, ctx);
  if (attempt.kind === 'ran' && attempt.outcome.ok) {
    const result = attempt.outcome.result;
    const completion: Completion = { kind: 'succeeded', result: result === '' ? null : result };
    const target = ctx.config.on_success;
    if (target === undefined) return { completion, delivery: 'success' };
    if (event.depth >= MAX_DESTINATION_DEPTH) {
      return { completion, delivery: 'success', loopBounded: true };
    }
    const sent = destinationEvent(event, target, ctx, (raw) => ({
      condition: 'Success',
      requestId: event.id,
      functionName: event.functionName,
      attempts: event.attempts,
      requestPayload: raw(event.payload),
      response: { ok: true, result: completion.result === null ? null : raw(result) },
      timestamp: ctx.now,
      ...executed(event),
    }));
    // Too large to send: the success stands, the record is dropped.
    if ('tooLarge' in sent)
      return { completion, delivery: 'success', recordTooLarge: sent.tooLarge };
    completion.destination = sent.destination;
    return { completion, delivery: 'success', condition: 'Success' };
  }
  if (attempt.kind === 'unavailable') {
    return { completion: { kind: 'released', delayMs: attempt.pauseMs }, pauseMs: attempt.pauseMs };
  }
  if (attempt.kind === 'ran' && !attempt.outcome.ok) {
    const reason = attempt.outcome.reason;
    if (reason === 'throttled' || reason === 'quarantined') {
      // Not run: the attempt does not count, and the event waits instead of failing.
      const hint = attempt.outcome.retryAfterMs ?? RELEASE_DELAY_MS.default;
      const delayMs = Math.min(RELEASE_DELAY_MS.max, Math.max(RELEASE_DELAY_MS.min, hint));
      return { completion: { kind: 'released', delayMs }, pauseMs: delayMs };
    }
  }
  const error = attemptError(attempt);
  const delivery = deliveryOutcome(attempt);
  if (event.attempts <= event.policy.maxRetries) {
    const delayMs = retryDelayMs(event.policy, event.attempts);
    return { completion: { kind: 'retry', delayMs, error }, delivery };
  }
  const target = ctx.config.on_failure;
  if (target === undefined) return { completion: { kind: 'dead', error }, delivery };
  if (event.depth >= MAX_DESTINATION_DEPTH) {
    return { completion: { kind: 'dead', error }, delivery, loopBounded: true };
  }
  const sent = destinationEvent(event, target, ctx, (raw) => ({
    condition: 'RetriesExhausted',
    requestId: event.id,
    functionName: event.functionName,
    attempts: event.attempts,
    requestPayload: raw(event.payload),
    response: { ok: false, error: { ...error, ...stackOf(attempt) } },
    timestamp: ctx.now,
    ...executed(event),
  }));
  if ('tooLarge' in sent) return tooLargeToSend(error, delivery, sent.tooLarge);
  return {
    completion: { kind: 'failed', error, destination: sent.destination },
    delivery,
    condition: 'RetriesExhausted',
  };
}

/** Older than max_event_age_s when taken: never run, sent on_failure or made a dead letter. */
function agedOut(event: TakenEvent, ctx: DecideContext): Decision {
  const error: AsyncError = {
    code: 'EventAgeExceeded',
    message: `the event was older than max_event_age_s (${event.policy.maxEventAgeS} s) before it could run`,
  };
  const target = ctx.config.on_failure;
  if (target === undefined) return { completion: { kind: 'dead', error }, delivery: 'aged_out' };
  if (event.depth >= MAX_DESTINATION_DEPTH) {
    return { completion: { kind: 'dead', error }, delivery: 'aged_out', loopBounded: true };
  }
  // No response: it did not run this time. The take counted an attempt that did not run.
  const sent = destinationEvent(event, target, ctx, (raw) => ({
    condition: 'EventAgeExceeded',
    requestId: event.id,
    functionName: event.functionName,
    attempts: event.attempts - 1,
    requestPayload: raw(event.payload),
    timestamp: ctx.now,
  }));
  if ('tooLarge' in sent) return tooLargeToSend(error, 'aged_out', sent.tooLarge);
  return {
    completion: { kind: 'failed', error, destination: sent.destination },
    delivery: 'aged_out',
    condition: 'EventAgeExceeded',
  };
}

/**
 * The destination event carrying the record `build` makes. The stored texts (the event,
 * the result) are spliced in as they are, never parsed and serialised again: that keeps
 * their exact numbers and cannot overflow the stack on deep nesting. A record over
 * ASYNC_EVENT_LIMIT is not sent (Lambda drops an oversized record too): its size instead.
 */
function destinationEvent(
  event: TakenEvent,
  target: string,
  ctx: DecideContext,
  build: (raw: (text: string) => string) => DestinationRecordInput,
): { destination: NewAsyncEvent } | { tooLarge: number } {
  const splicer = jsonSplicer();
  const payload = splicer.stringify(destinationRecord(build(splicer.raw)));
  const bytes = Buffer.byteLength(payload);
  if (bytes > ASYNC_EVENT_LIMIT) return { tooLarge: bytes };
  const destination: NewAsyncEvent = {
    id: ctx.newId(),
    functionName: target,
    payload,
    policy: ctx.destinationPolicy(target),
    depth: event.depth + 1,
  };
  return { destination };
}

/** The version that ran, for `executedVersion`: a pinned one; `$LATEST` otherwise. */
function executed(event: TakenEvent): { executedVersion?: number } {
  return event.version === null ? {} : { executedVersion: event.version };
}

/** A failure whose record is too large to send: a dead letter saying so, with the cause. */
function tooLargeToSend(error: AsyncError, delivery: DeliveryOutcome, bytes: number): Decision {
  const dead: AsyncError = {
    code: RECORD_TOO_LARGE,
    message: `the on_failure record (${bytes} bytes) is over ${ASYNC_EVENT_LIMIT} bytes and was not sent; the event failed with ${error.code}: ${error.message}`,
    ...(error.name ? { name: error.name } : {}),
  };
  return { completion: { kind: 'dead', error: dead }, delivery, recordTooLarge: bytes };
}

/**
 * What is stored when deciding or storing the outcome failed for a reason that will not go
 * away by trying again (a bug, data the database refuses): a success stays a success
 * without its destination, anything else ends as a dead letter with InternalError. Never
 * left to the lease, which would only bring the same failure back.
 */
export function internalFailure(attempt: Attempt | undefined, err: unknown): Decision {
  if (attempt?.kind === 'ran' && attempt.outcome.ok) {
    return { completion: { kind: 'succeeded', result: null }, delivery: 'success' };
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const error: AsyncError = {
    code: 'InternalError',
    message: `the outcome could not be stored (${detail.slice(0, 200)})`,
  };
  return {
    completion: { kind: 'dead', error },
    delivery: attempt ? deliveryOutcome(attempt) : 'error',
  };
}

/** The stored error of a failed attempt: our code, the message, and the thrown error's name. */
function attemptError(attempt: Attempt): AsyncError {
  if (attempt.kind === 'not_run') return attempt.error;
  if (attempt.kind !== 'ran' || attempt.outcome.ok) return LEASE_EXPIRED;
  const { reason, message, error } = attempt.outcome;
  // invalid_event cannot happen (accept checks the JSON); failureCode maps it anyway.
  return { code: failureCode(reason), message, ...(error ? { name: error.name } : {}) };
}

function stackOf(attempt: Attempt): { stack?: string } {
  if (attempt.kind !== 'ran' || attempt.outcome.ok || !attempt.outcome.error) return {};
  return { stack: attempt.outcome.error.stack };
}

function deliveryOutcome(attempt: Attempt): DeliveryOutcome {
  if (attempt.kind === 'lease_expired') return 'lease_expired';
  if (attempt.kind === 'aged') return 'aged_out';
  if (attempt.kind !== 'ran' || attempt.outcome.ok) return 'error';
  switch (attempt.outcome.reason) {
    case 'timeout':
      return 'timeout';
    case 'oom':
      return 'oom';
    case 'crashed':
      return 'crashed';
    default:
      return 'error';
  }
}
