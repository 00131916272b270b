import {
  type FunctionVersion,
  type InvocationFailure,
  type InvocationOutcome,
  parseFunctionConfig,
} from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { invokeResponse } from './invoke-response.ts';

const fn: FunctionVersion = {
  name: 'f',
  version: 3,
  sha256: 'a'.repeat(64),
  size: 1,
  handler: 'event',
  createdAt: new Date(0),
  config: parseFunctionConfig({}),
};

const base = {
  invocationId: 'inv-1',
  coldStart: true,
  durationMs: 1.5,
  logs: { text: 'INFO hi', dropped: 0 },
};
const failed = (over: Partial<InvocationFailure>): InvocationOutcome => ({
  ...base,
  ok: false,
  reason: 'error',
  message: 'boom',
  ...over,
});

const INVOCATION_HEADERS = {
  'content-type': 'application/json',
  'x-instance-id': 'i-1',
  'x-invocation-id': 'inv-1',
  'x-function-version': '3',
  'x-cold-start': 'true',
  'x-duration-ms': '1.500',
};

describe('invokeResponse', () => {
  it('answers a result as the function produced it, logs in X-Log-Result on tail', async () => {
    const res = invokeResponse(fn, { ...base, ok: true, result: '{"a":1}' }, true, 'i-1');
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toEqual({
      ...INVOCATION_HEADERS,
      'x-log-result': Buffer.from('INFO hi').toString('base64'),
    });
    expect(await res.text()).toBe('{"a":1}');
  });

  it("answers the function's failure as 500 FunctionError with X-Function-Error", async () => {
    const error = { name: 'Error', message: 'boom', stack: 'Error: boom' };
    const res = invokeResponse(fn, failed({ message: 'Error: boom', error }), false, 'i-1');
    expect(res.status).toBe(500);
    expect(Object.fromEntries(res.headers)).toEqual({
      ...INVOCATION_HEADERS,
      'x-function-error': 'Unhandled',
    });
    expect(await res.text()).toBe(
      '{"error":{"name":"Error","message":"Error: boom","stack":"Error: boom","code":"FunctionError"}}',
    );
  });

  it.each([
    ['throttled', 2001, 429, 'TooManyRequests', '3'],
    ['quarantined', 30_000, 503, 'FunctionQuarantined', '30'],
    ['crashed', 1000, 503, 'SandboxRestarted', '1'],
    ['crashed', undefined, 503, 'SandboxRestarted', '1'],
    ['timeout', undefined, 504, 'FunctionTimeout', null],
    ['oom', undefined, 500, 'OutOfMemory', null],
    ['invalid_event', undefined, 400, 'InvalidJSON', null],
  ] as const)(
    'answers %s (hint %s ms) with %i %s and Retry-After %s',
    async (reason, retryAfterMs, status, code, retry) => {
      const outcome = failed({ reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
      const res = invokeResponse(fn, outcome, false, 'i-1');
      expect([
        res.status,
        res.headers.get('retry-after'),
        res.headers.get('x-function-error'),
      ]).toEqual([status, retry, null]);
      expect(await res.json()).toEqual({ error: { code, message: 'boom' } });
      expect(res.headers.get('x-invocation-id')).toBe('inv-1');
    },
  );

  it('never answers an outcome it does not know with a success', async () => {
    const outcomes = [
      failed({ reason: 'weird' as InvocationFailure['reason'] }),
      failed({ reason: 'toString' as InvocationFailure['reason'] }),
      // A truthy `ok` that is not `true` is not a success either.
      {
        ...failed({ reason: 'nope' as InvocationFailure['reason'] }),
        ok: 1,
      } as unknown as InvocationOutcome,
    ];
    for (const outcome of outcomes) {
      const res = invokeResponse(fn, outcome, false, 'i-1');
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        error: { code: 'InternalError', message: 'The invocation ended in an unknown way' },
      });
    }
  });
});
