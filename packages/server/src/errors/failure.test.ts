import { FAILURE_ERROR_CODE, type InvocationFailure, MiniLambdaError } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { asApiFailure, failureCode, outcomeFailure } from './failure.ts';

const failed = (over: Partial<InvocationFailure>): InvocationFailure => ({
  ok: false,
  reason: 'error',
  message: 'boom',
  invocationId: 'inv-1',
  coldStart: false,
  durationMs: 1,
  logs: { text: '', dropped: 0 },
  ...over,
});

describe('failureCode', () => {
  it('reports every known reason with the code of the table', () => {
    for (const [reason, code] of Object.entries(FAILURE_ERROR_CODE)) {
      expect(failureCode(reason)).toBe(code);
    }
  });

  it.each(['nope', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'reports the unknown reason %j as InternalError',
    (reason) => {
      expect(failureCode(reason)).toBe('InternalError');
    },
  );
});

describe('outcomeFailure', () => {
  it("carries the function's error as details and marks it as the function's", () => {
    const error = { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x\n  at h' };
    const failure = outcomeFailure(failed({ message: 'TypeError: x is undefined', error }));
    expect(failure.functionError).toBe(true);
    expect(failure.retryAfterMs).toBeUndefined();
    expect([failure.error.code, failure.error.status]).toEqual(['FunctionError', 500]);
    expect(failure.error.toJSON()).toEqual({
      error: {
        code: 'FunctionError',
        message: 'TypeError: x is undefined',
        name: 'TypeError',
        stack: 'TypeError: x\n  at h',
      },
    });
  });

  it("keeps the runtime's retry hint and is not the function's own failure", () => {
    const failure = outcomeFailure(failed({ reason: 'throttled', retryAfterMs: 1500 }));
    expect(failure).toMatchObject({ retryAfterMs: 1500 });
    expect(failure.functionError).toBeUndefined();
    expect([failure.error.code, failure.error.status]).toEqual(['TooManyRequests', 429]);
  });

  it('turns an unknown reason into a 500 InternalError that shows nothing the sandbox said', () => {
    const outcome = failed({
      reason: 'made-up' as InvocationFailure['reason'],
      message: 'secret',
      retryAfterMs: 5,
      error: { name: 'E', message: 'secret', stack: 'secret' },
    });
    const failure = outcomeFailure(outcome);
    expect(failure).toEqual({ error: expect.any(MiniLambdaError) });
    expect(failure.error.status).toBe(500);
    expect(JSON.stringify(failure.error.toJSON())).toBe(
      '{"error":{"code":"InternalError","message":"The invocation ended in an unknown way"}}',
    );
  });
});

describe('asApiFailure', () => {
  it('wraps our error and passes a failure through', () => {
    const error = new MiniLambdaError('NotFound', 'No route');
    expect(asApiFailure(error)).toEqual({ error });
    const failure = { error, retryAfterMs: 10 };
    expect(asApiFailure(failure)).toBe(failure);
  });
});

describe('asApiFailure with a code outside the table', () => {
  it.each(['toString', 'constructor', '__proto__'])(
    'renders %j, which has no status, as a 500 InternalError',
    (code) => {
      // Only a broken sandbox's platform error could carry such a code.
      const error = new MiniLambdaError(code as 'NotFound', 'from a sandbox');
      const failure = asApiFailure(error);
      expect(failure.error.status).toBe(500);
      expect(failure.error.toJSON()).toEqual({
        error: { code: 'InternalError', message: 'Internal error' },
      });
    },
  );
});
