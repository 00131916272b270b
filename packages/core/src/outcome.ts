import type { ErrorCode } from './errors.ts';
import type { HttpResponseData } from './http-message.ts';

/** Console output of one invocation: the newest lines, bounded, and what had to be dropped. */
export interface CapturedLogs {
  /** Lines as `LEVEL message`, joined by `\n`; empty when nothing was logged. */
  text: string;
  /** How many lines were dropped (whole, or cut short) to keep within the bound. */
  dropped: number;
}

/** Why an invocation did not produce a result. */
export type FailureReason =
  | 'error' // the function threw, rejected, or failed to load
  | 'timeout' // ran past timeout_ms (sync, microtasks, a promise that never settled)
  | 'oom' // exceeded memory_mb; the isolate was discarded
  | 'invalid_result' // result not JSON-serialisable
  | 'result_too_large' // result past the size bound
  | 'invalid_event' // the event was not valid JSON
  | 'throttled' // every isolate busy and the wait queue full or the wait too long
  | 'crashed' // the isolate or its sandbox process was lost mid-call
  | 'quarantined'; // the function keeps killing sandboxes and is cooling down

/** A plain copy of what the function threw, made inside the isolate and bounded in length. */
export interface FunctionErrorInfo {
  name: string;
  message: string;
  stack: string;
}

interface OutcomeBase {
  invocationId: string;
  /** True when this invocation created its isolate. */
  coldStart: boolean;
  /** Wall time from acquiring an isolate to the outcome, in ms. */
  durationMs: number;
  /** On a cold start: creating the isolate and running the module's top-level code, in ms. */
  initDurationMs?: number;
  logs: CapturedLogs;
}

export interface InvocationSuccess extends OutcomeBase {
  ok: true;
  /** The handler's return value as a JSON string, produced inside the isolate. */
  result: string;
  /** A fetch-style function's response to an HTTP request (then `result` is empty). */
  response?: HttpResponseData;
}

export interface InvocationFailure extends OutcomeBase {
  ok: false;
  reason: FailureReason;
  message: string;
  /** Present when reason is `error`. */
  error?: FunctionErrorInfo;
  /** Present when reason is `throttled`: a hint for Retry-After. */
  retryAfterMs?: number;
}

/** Every invocation ends in one of these; failures of user code are values, not exceptions. */
export type InvocationOutcome = InvocationSuccess | InvocationFailure;

export const NO_LOGS: CapturedLogs = Object.freeze({ text: '', dropped: 0 });

/** The docs/api.md error code each failure reason is reported with. */
export const FAILURE_ERROR_CODE = {
  error: 'FunctionError',
  timeout: 'FunctionTimeout',
  oom: 'OutOfMemory',
  invalid_result: 'InvalidResult',
  result_too_large: 'ResultTooLarge',
  invalid_event: 'InvalidJSON',
  throttled: 'TooManyRequests',
  crashed: 'SandboxRestarted',
  quarantined: 'FunctionQuarantined',
} as const satisfies Record<FailureReason, ErrorCode>;
