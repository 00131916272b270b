import {
  FAILURE_ERROR_CODE,
  type FunctionVersion,
  type InvocationOutcome,
  MiniLambdaError,
} from '@mini-lambda/core';

/** Retry hints in whole seconds, at least one. */
const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/**
 * The HTTP response of an invocation (API.md): the result JSON as the function produced
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
  if (outcome.ok) return new Response(outcome.result, { status: 200, headers });

  const code = FAILURE_ERROR_CODE[outcome.reason];
  const error = new MiniLambdaError(
    code,
    outcome.message,
    outcome.error ? { ...outcome.error } : {},
  );
  if (outcome.reason === 'error') headers['X-Function-Error'] = 'Unhandled';
  if (outcome.retryAfterMs !== undefined) headers['Retry-After'] = seconds(outcome.retryAfterMs);
  else if (error.status === 503) headers['Retry-After'] = '1';
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers });
}
