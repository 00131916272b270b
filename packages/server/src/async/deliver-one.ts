import { randomUUID } from 'node:crypto';
import {
  type AsyncPolicy,
  asyncConfigSchema,
  asyncPolicy,
  type InvocationOutcome,
  MiniLambdaError,
} from '@mini-lambda/core';
import type { Runtime } from '@mini-lambda/runtime';
import type { AsyncQueue, CompleteResult, Completion, TakenEvent } from '@mini-lambda/store';
import type { Logger } from 'pino';
import type { FunctionDirectory } from '../function-directory.ts';
import type { Metrics } from '../metrics.ts';
import { isUnavailable } from '../unavailable.ts';
import { type Attempt, type Decision, decide, internalFailure } from './decide.ts';

/** The policy of a destination whose function cannot be read: every default. */
const DEFAULT_POLICY = asyncPolicy(asyncConfigSchema.parse({}));

/** Function console output kept in a server log line (the rest is the function's). */
const LOGGED_LOGS = 1024;

/** How long a completion is retried while the database is unreachable, in all. */
export const COMPLETE_RETRY_MS = 15_000;

/**
 * How long a function is paused after our own infrastructure failed to run its event
 * (storage or the sandbox runtime unreachable): the event is released uncounted. An event
 * that never gets to run is bounded by its max_event_age_s: it then ages out.
 */
export const UNAVAILABLE_PAUSE_MS = 5000;

export interface DeliverDeps {
  instanceId: string;
  queue: Pick<AsyncQueue, 'complete' | 'extend' | 'release'>;
  directory: Pick<FunctionDirectory, 'get' | 'stamp' | 'called'>;
  runtime: Pick<Runtime, 'invoke'>;
  metrics: Pick<Metrics, 'async' | 'invocation'>;
  log: Logger;
  /** True once the engine stopped waiting for this delivery: its lease will bring it back. */
  abandoned: () => boolean;
  /** The function cannot run events for `ms` (throttled, quarantined, unavailable). */
  pause?: (functionName: string, ms: number) => void;
  /** The lease a run of `timeoutMs` needs, from its take to its stored outcome. */
  leaseMs?: (timeoutMs: number) => number;
}

/**
 * Delivers one taken event (or finishes one reclaimed from an expired lease as a failed
 * attempt) and stores what became of it. Never throws. Only an unreachable database (or a
 * stop) leaves the event to its lease; any other error while deciding or storing ends in
 * a stored outcome (`internalFailure`), so a bug cannot bounce an event through lease
 * expiry forever.
 */
export async function deliverOne(
  deps: DeliverDeps,
  event: TakenEvent,
  how: 'take' | 'reclaim',
  /** The timeout_ms the take's lease was made for. */
  leasedForMs = 0,
): Promise<void> {
  const name = event.functionName;
  let attempt: Attempt | undefined;
  let decision: Decision | undefined;
  /** Set right before the function is invoked: from then on it may have run. */
  const progress = { invoked: how === 'reclaim' };
  try {
    const latest = await deps.directory.get(name);
    if (!latest) return; // deleted: its events went with it (ON DELETE CASCADE)
    if (how === 'reclaim') attempt = { kind: 'lease_expired' };
    else if (event.aged) attempt = { kind: 'aged' };
    else {
      const ran = await run(deps, event, leasedForMs, progress);
      if (ran === undefined || deps.abandoned()) return;
      attempt = ran;
    }
    const { on_success, on_failure } = latest.config.async;
    const policies = new Map<string, AsyncPolicy>();
    for (const target of [on_success, on_failure]) {
      if (target === undefined || policies.has(target)) continue;
      const fn = await deps.directory.get(target);
      policies.set(target, fn ? asyncPolicy(fn.config.async) : DEFAULT_POLICY);
    }
    const ran = attempt;
    decision = guarded(deps, event, ran, () =>
      decide(event, ran, {
        config: latest.config.async,
        destinationPolicy: (target) => policies.get(target) ?? DEFAULT_POLICY,
        newId: randomUUID,
        now: new Date(),
      }),
    );
    if (decision.pauseMs !== undefined) deps.pause?.(name, decision.pauseMs);
    let result = await complete(deps, event, decision.completion);
    if (result === 'refused') {
      decision = internalFailure(attempt, 'the database refused the outcome');
      result = await complete(deps, event, decision.completion);
    }
    if (result !== undefined && result !== 'refused') record(deps, event, decision, result);
  } catch (err) {
    if (deps.abandoned()) return; // the stop puts it back
    if (!progress.invoked && !event.aged) {
      // Nothing ran (a read before the run failed): put it back, no attempt used, and give
      // the function a rest, so a fault that hits all its events does not spin its backlog.
      // If even the release cannot be stored, the lease brings it back.
      deps.log.warn({ err, function: name, invocationId: event.id }, 'async delivery not run');
      deps.pause?.(name, UNAVAILABLE_PAUSE_MS);
      await retried(() => deps.queue.release([event], UNAVAILABLE_PAUSE_MS)).catch(() => 0);
      return;
    }
    if (!isPermanent(err)) {
      // A database that is away or busy (timeouts, cancels): the lease brings it back.
      deps.log.warn({ err, function: name, invocationId: event.id }, 'async delivery not finished');
      return;
    }
    deps.log.error({ err, function: name, invocationId: event.id }, 'async delivery failed');
    const fallback = internalFailure(attempt, err);
    const result = await complete(deps, event, fallback.completion).catch(() => undefined);
    if (result !== undefined && result !== 'refused') record(deps, event, fallback, result);
  }
}

/** `decide`, or the internal failure it becomes when it throws (it is pure: a bug). */
function guarded(
  deps: DeliverDeps,
  event: TakenEvent,
  attempt: Attempt,
  fn: () => Decision,
): Decision {
  try {
    return fn();
  } catch (err) {
    deps.log.error(
      { err, function: event.functionName, invocationId: event.id },
      'async outcome could not be decided',
    );
    return internalFailure(attempt, err);
  }
}

/** Runs the event; undefined when there is nothing to run (the function or version is gone). */
async function run(
  deps: DeliverDeps,
  event: TakenEvent,
  leasedForMs: number,
  progress: { invoked: boolean },
): Promise<Attempt | undefined> {
  const name = event.functionName;
  const since = deps.directory.stamp();
  const fn = await deps.directory.get(name, event.version ?? undefined);
  if (!fn) return undefined;
  // The lease was made for the latest version's timeout when taken; a pinned version, or a
  // PATCH since, may run longer: lengthen it first, so no other instance runs it meanwhile.
  if (deps.leaseMs && fn.config.timeout_ms > leasedForMs) {
    if (!(await deps.queue.extend(event, deps.leaseMs(fn.config.timeout_ms)))) return undefined;
  }
  if (event.attempts === 1) {
    deps.metrics.async.delay((Date.now() - event.acceptedAt.getTime()) / 1000);
  }
  const started = performance.now();
  let outcome: InvocationOutcome;
  try {
    progress.invoked = true;
    outcome = await deps.runtime.invoke(fn, event.payload, { invocationId: event.id });
  } catch (err) {
    deps.log.warn({ err, function: name, invocationId: event.id }, 'async invocation not run');
    const error = err instanceof MiniLambdaError ? err : undefined;
    // Our infrastructure, not the function: no attempt used, the function paused.
    if (error?.code === 'ServiceUnavailable' || isUnavailable(err)) {
      return { kind: 'unavailable', pauseMs: UNAVAILABLE_PAUSE_MS };
    }
    // Ours all the same, but not passing (its code could not be loaded, say): a failed attempt.
    return {
      kind: 'not_run',
      error: { code: error?.code ?? 'InternalError', message: error?.message ?? 'Internal error' },
    };
  } finally {
    deps.directory.called(name, since); // a delete meanwhile must not leave a pool behind
  }
  if (outcome.ok || outcome.reason !== 'throttled') {
    deps.metrics.invocation(name, outcome, performance.now() - started);
  }
  if (!outcome.ok && outcome.reason !== 'throttled' && outcome.reason !== 'quarantined') {
    deps.log.warn(
      {
        function: name,
        version: fn.version,
        invocationId: event.id,
        attempt: event.attempts,
        reason: outcome.reason,
        message: outcome.message,
        logs: outcome.logs.text.slice(-LOGGED_LOGS),
      },
      'async invocation failed',
    );
  }
  return { kind: 'ran', outcome };
}

/**
 * Stores the completion, retrying while the database is unreachable; undefined if it never
 * could (the lease brings the event back), 'refused' when the database answered with an
 * error that trying again will not change (bad data, a bug).
 */
async function complete(
  deps: DeliverDeps,
  event: TakenEvent,
  completion: Completion,
): Promise<CompleteResult | 'refused' | undefined> {
  try {
    return await retried(
      () => deps.queue.complete(event, deps.instanceId, completion),
      deps.abandoned,
    );
  } catch (err) {
    const where = { err, function: event.functionName, invocationId: event.id };
    if (!deps.abandoned() && isPermanent(err)) {
      deps.log.error(where, 'async completion refused');
      return 'refused';
    }
    deps.log.warn(where, 'async completion not stored: the lease will bring the event back');
    return undefined;
  }
}

/**
 * `op`, tried again while the database is away or busy, for up to COMPLETE_RETRY_MS (and
 * not once `stop()` says so); what it last threw otherwise.
 */
async function retried<T>(op: () => Promise<T>, stop: () => boolean = () => false): Promise<T> {
  const deadline = performance.now() + COMPLETE_RETRY_MS;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await op();
    } catch (err) {
      if (isPermanent(err) || stop() || performance.now() + wait > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * An error that trying again will not change: the database rejected the data or the
 * statement (SQLSTATE classes 22 data, 23 integrity, 42 syntax or access, 54 limits), or
 * our own code threw (no SQLSTATE). Everything else (unreachable, deadlock, a statement
 * or lock timeout, a cancel, an internal error) may pass: worth another try, or the lease.
 */
function isPermanent(err: unknown): boolean {
  if (isUnavailable(err)) return false;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return /^(22|23|42|54)/.test(code);
}

/** Counts and logs what was stored. */
function record(deps: DeliverDeps, event: TakenEvent, d: Decision, result: CompleteResult): void {
  const name = event.functionName;
  const m = deps.metrics.async;
  if (d.delivery) m.delivered(name, d.delivery);
  if (result === 'lease_lost') return; // another instance has it now; it counts from there
  const kind = d.completion.kind;
  if (kind === 'retry') m.retried(name);
  if (kind === 'dead' || (kind === 'failed' && result === 'destination_missing')) {
    m.deadLettered(name);
  }
  if (d.condition && result === 'done') m.destination(name, d.condition);
  if (result === 'destination_missing') {
    deps.log.warn(
      { function: name, invocationId: event.id, condition: d.condition },
      'destination function is gone: no record sent',
    );
  }
  if (result === 'destination_missing') m.destinationDropped(name, 'missing');
  if (d.loopBounded) {
    m.destinationDropped(name, 'depth');
    deps.log.warn(
      { function: name, invocationId: event.id, depth: event.depth },
      'destination chain too deep: no record sent',
    );
  }
  if (d.recordTooLarge !== undefined) {
    m.destinationDropped(name, 'too_large');
    deps.log.warn(
      { function: name, invocationId: event.id, bytes: d.recordTooLarge },
      'destination record over 1 MB: not sent',
    );
  }
}
