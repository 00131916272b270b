import type { FunctionVersion, InvocationOutcome } from '@mini-lambda/core';
import { outcomeFailure } from './errors/failure.ts';
import { errorResponse } from './errors/respond.ts';

/**
 * The HTTP response of an invocation (docs/api.md): the result JSON as the function produced
 * it, or the error of its outcome. Every answer carries the invocation's headers.
 * With `tail`, the captured console output goes in `X-Log-Result` (base64), as
 * Lambda's `LogType: Tail` does.
 */
export function invokeResponse(
  fn: FunctionVersion,
  outcome: InvocationOutcome,
  tail: boolean,
  instanceId: string,
): Response {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Instance-Id': instanceId,
    'X-Invocation-Id': outcome.invocationId,
    'X-Function-Version': String(fn.version),
    'X-Cold-Start': String(outcome.coldStart),
    'X-Duration-Ms': outcome.durationMs.toFixed(3),
  };
  if (tail && outcome.logs.text !== '') {
    headers['X-Log-Result'] = Buffer.from(outcome.logs.text).toString('base64');
  }
  // `=== true`: only a success is a 200, whatever else an outcome might carry.
  if (outcome.ok === true) return new Response(outcome.result, { status: 200, headers });
  return errorResponse(outcomeFailure(outcome), { headers });
}
