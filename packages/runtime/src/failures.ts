import { NO_LOGS } from '@mini-lambda/core';
import type { CallResult } from './envelope.ts';
import { boundedError } from './envelope.ts';
import type { Isolate } from './ivm.ts';

/** Why we disposed an isolate; decides how the call that was running in it ends. */
export type DisposeReason = 'timeout' | 'oom' | 'crashed' | 'shutdown';

export interface RejectionContext {
  isolate: Isolate | undefined;
  disposedBecause: DisposeReason | undefined;
  /** performance.now() when the call (or the load) started. */
  startedAt: number;
  timeoutMs: number;
}

/**
 * Turns a rejection from isolated-vm into an outcome. The message may be the user's own
 * (a top-level throw), so only state a function cannot fake decides timeout and OOM:
 * who disposed the isolate, and whether the deadline had really passed.
 */
export function classify(err: unknown, ctx: RejectionContext): CallResult {
  if (ctx.disposedBecause === 'timeout') return timedOut(ctx.timeoutMs);
  if (ctx.disposedBecause === 'shutdown') return shutDown();
  if (ctx.disposedBecause === 'crashed') return crashed('the isolate was lost');
  const message = err instanceof Error ? err.message : String(err);
  // Only isolated-vm disposes an isolate we did not: for its memory limit.
  if (ctx.isolate?.isDisposed) return outOfMemory();
  // isolated-vm's own timer: believed only once the deadline has (about) passed, since
  // the same words could be the message of an error the function threw itself.
  const elapsed = performance.now() - ctx.startedAt;
  if (/timed out/i.test(message) && elapsed >= ctx.timeoutMs * 0.9) return timedOut(ctx.timeoutMs);
  // Errors thrown while loading (syntax error, top-level throw, no handler export):
  // isolated-vm copies them out as host errors with name, message and stack strings.
  const name = err instanceof Error ? err.name : 'Error';
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  const error = boundedError(name, message, stack);
  return { ok: false, reason: 'error', message: error.message, error, logs: NO_LOGS };
}

export function timedOut(timeoutMs: number): CallResult {
  return {
    ok: false,
    reason: 'timeout',
    message: `The function timed out after ${timeoutMs} ms`,
    logs: NO_LOGS,
  };
}

export function outOfMemory(): CallResult {
  return {
    ok: false,
    reason: 'oom',
    message: 'The function exceeded its memory limit',
    logs: NO_LOGS,
  };
}

export function crashed(message: string): CallResult {
  return {
    ok: false,
    reason: 'crashed',
    message: `The isolate crashed: ${message}`,
    logs: NO_LOGS,
  };
}

/** The outcome of a call the runtime's shutdown cut short (or never started). */
export function shutDown(): CallResult {
  return {
    ok: false,
    reason: 'crashed',
    message: 'The runtime shut down during the invocation; it may or may not have completed',
    logs: NO_LOGS,
  };
}

/** The dispose reason an outcome implies, if the isolate must not be reused after it. */
export function disposeReasonOf(result: CallResult): DisposeReason | undefined {
  if (result.ok) return undefined;
  if (result.reason === 'timeout' || result.reason === 'oom' || result.reason === 'crashed')
    return result.reason;
  return undefined;
}

/**
 * Settles with `work`, or with `onExpire()` after `ms`.
 * `expose` receives an early finisher so a catastrophic error can end the wait too.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  onExpire: () => T,
  expose: (finish: (value: T) => void) => void = () => {},
): Promise<T> {
  return new Promise<T>((resolve) => {
    let settled = false;
    const finish = (value: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => finish(onExpire()), ms);
    expose(finish);
    work.then(finish);
  });
}
