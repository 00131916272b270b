import { MiniLambdaError } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { httpTrigger } from './http-trigger.ts';
import { nativeApi } from './native-api.ts';

describe('httpTrigger', () => {
  it("hides a function's own failure behind a bare 502", () => {
    const error = new MiniLambdaError('FunctionError', 'Error: db password is hunter2', {
      name: 'Error',
      message: 'db password is hunter2',
      stack: 'Error: db password is hunter2\n    at handler (index.js:3:9)',
    });
    expect(httpTrigger({ error, functionError: true })).toEqual({
      status: 502,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":{"code":"FunctionError","message":"The function failed"}}',
    });
  });

  it.each([
    new MiniLambdaError('InvalidResult', 'The result is not JSON-serialisable: a function'),
    new MiniLambdaError('ResultTooLarge', 'The result is 7340032 bytes'),
    new MiniLambdaError('InvalidResult', 'statusCode 600 is not an HTTP status of 200-599'),
  ])('hides a result that is no response behind the same 502 ($code)', (error) => {
    expect(httpTrigger({ error, functionError: error.code === 'FunctionError' })).toEqual({
      status: 502,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":{"code":"FunctionError","message":"The function failed"}}',
    });
  });

  it.each([
    { error: new MiniLambdaError('OutOfMemory', 'The function ran out of memory (128 MB)') },
    { error: new MiniLambdaError('FunctionTimeout', 'Timed out after 3000 ms') },
    { error: new MiniLambdaError('TooManyRequests', 'Busy'), retryAfterMs: 2000 },
    { error: new MiniLambdaError('FunctionNotFound', 'Function x does not exist') },
    { error: new MiniLambdaError('SandboxRestarted', 'Lost'), retryAfterMs: 1000 },
  ])('renders our own errors as the native API does ($error.code)', (failure) => {
    expect(httpTrigger(failure)).toEqual(nativeApi(failure));
  });
});
