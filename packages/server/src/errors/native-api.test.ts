import { MiniLambdaError } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { nativeApi } from './native-api.ts';

describe('nativeApi', () => {
  it('renders the API.md shape with the status of the code, byte for byte', () => {
    const error = new MiniLambdaError('BuildFailed', 'Build failed', { errors: [{ text: 'x' }] });
    expect(nativeApi({ error })).toEqual({
      status: 422,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":{"errors":[{"text":"x"}],"code":"BuildFailed","message":"Build failed"}}',
    });
  });

  it("marks a failure of the function's own code with X-Function-Error", () => {
    const error = new MiniLambdaError('FunctionError', 'boom', { name: 'Error' });
    const rendered = nativeApi({ error, functionError: true });
    expect(rendered.status).toBe(500);
    expect(rendered.headers['X-Function-Error']).toBe('Unhandled');
    expect(rendered.headers['Retry-After']).toBeUndefined();
  });

  it.each([
    ['a throttled call: the hint in whole seconds', 'TooManyRequests', {}, 1500, '2'],
    ['a hint under a second: at least 1', 'TooManyRequests', {}, 1, '1'],
    ['a quarantine: the hint', 'FunctionQuarantined', {}, 30_000, '30'],
    ['a lost sandbox with a hint', 'SandboxRestarted', {}, 1000, '1'],
    ['a 503 without a hint', 'ServiceUnavailable', {}, undefined, '1'],
    [
      'a 429 of ours with retryAfterSeconds',
      'TooManyRequests',
      { retryAfterSeconds: 5 },
      undefined,
      '5',
    ],
    [
      'a 503 of ours with retryAfterSeconds',
      'ServiceUnavailable',
      { retryAfterSeconds: 7 },
      undefined,
      '7',
    ],
    ['a 429 of ours without one', 'TooManyRequests', {}, undefined, '1'],
    [
      'a hint that is not a number falls back to the status rule',
      'SandboxRestarted',
      {},
      Number.NaN,
      '1',
    ],
    ['a 504: none', 'FunctionTimeout', {}, undefined, undefined],
    ['a 500: none', 'InternalError', { retryAfterSeconds: 5 }, undefined, undefined],
    ['a 400: none', 'InvalidJSON', {}, undefined, undefined],
  ] as const)('sets Retry-After for %s', (_what, code, details, retryAfterMs, expected) => {
    const error = new MiniLambdaError(code, 'm', { ...details });
    const rendered = nativeApi({ error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    expect(rendered.headers['Retry-After']).toBe(expected);
  });
});
