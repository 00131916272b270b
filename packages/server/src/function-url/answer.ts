import type { InvocationFailure, InvocationOutcome, InvocationSuccess } from '@mini-lambda/core';
import { httpStatus } from './headers.ts';
import { readFunctionUrlResult } from './result.ts';

/** A function's HTTP answer, status checked, headers not yet (see `responseHeaders`). */
export interface HttpAnswer {
  status: number;
  headers: Iterable<unknown>;
  body: Uint8Array;
}

/**
 * What a trigger's invocation amounts to: the answer to send, or a failure. A success
 * whose result is no valid HTTP response is the function's failure (`invalid_result`, a
 * 502 to the caller), counted and logged as one.
 */
export type TriggerOutcome =
  | { ok: true; outcome: InvocationSuccess; answer: HttpAnswer }
  | { ok: false; outcome: InvocationFailure };

/** An event-style function's outcome: its result read as Lambda reads a Function URL's. */
export function eventOutcome(outcome: InvocationOutcome): TriggerOutcome {
  if (outcome.ok !== true) return { ok: false, outcome };
  const read = readFunctionUrlResult(outcome.result);
  if (!read.ok) return invalid(outcome, read.reason);
  return { ok: true, outcome, answer: read.response };
}

/** A fetch-style function's outcome: the response the runtime brought back. */
export function fetchOutcome(outcome: InvocationOutcome): TriggerOutcome {
  if (outcome.ok !== true) return { ok: false, outcome };
  const response = outcome.response; // from a sandbox: checked again, whatever its type says
  if (typeof response !== 'object' || response === null) {
    return invalid(outcome, 'the runtime brought back no response');
  }
  const status = httpStatus(response.status);
  if (status === undefined) {
    return invalid(outcome, `status ${String(response.status)} is not an HTTP status of 200-599`);
  }
  if (!(response.body instanceof Uint8Array) || !Array.isArray(response.headers)) {
    return invalid(outcome, 'the response is malformed');
  }
  return { ok: true, outcome, answer: { status, headers: response.headers, body: response.body } };
}

function invalid(outcome: InvocationSuccess, reason: string): TriggerOutcome {
  const { invocationId, coldStart, durationMs, logs } = outcome;
  return {
    ok: false,
    outcome: {
      ok: false,
      reason: 'invalid_result',
      message: `The function's result is not a valid HTTP response: ${reason}`,
      invocationId,
      coldStart,
      durationMs,
      logs,
      ...(outcome.initDurationMs !== undefined ? { initDurationMs: outcome.initDurationMs } : {}),
    },
  };
}
