import { describe, expect, it } from 'vitest';
import { destinationRecord, functionArn } from './destination-record.ts';

const common = {
  requestId: 'c2a6f2ae-7dbb-4d22-8782-d0485c9877e2',
  functionName: 'orders',
  requestPayload: { order: 7 },
  timestamp: new Date('2026-01-01T10:00:00.123Z'),
};

describe('destination records', () => {
  it('names the function by a $LATEST ARN of the no-account id', () => {
    expect(functionArn('orders')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST',
    );
  });

  it('has Lambda shape on success', () => {
    const record = destinationRecord({
      ...common,
      condition: 'Success',
      attempts: 1,
      response: { ok: true, result: { done: true } },
      executedVersion: 3,
    });
    expect(record).toEqual({
      version: '1.0',
      timestamp: '2026-01-01T10:00:00.123Z',
      requestContext: {
        requestId: common.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST',
        condition: 'Success',
        approximateInvokeCount: 1,
      },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: '3' },
      responsePayload: { done: true },
    });
    // Lambda's key order, so a record reads like the ones in its docs.
    expect(Object.keys(record)).toEqual([
      'version',
      'timestamp',
      'requestContext',
      'requestPayload',
      'responseContext',
      'responsePayload',
    ]);
  });

  it('keeps a null result as null', () => {
    const record = destinationRecord({
      ...common,
      condition: 'Success',
      attempts: 2,
      response: { ok: true, result: null },
    });
    expect(record.responsePayload).toBeNull();
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
  });

  it('carries a thrown error as the Node.js runtime reports it, after retries', () => {
    const stack = 'TypeError: x is undefined\n    at handler (index.js:3:9)';
    const record = destinationRecord({
      ...common,
      condition: 'RetriesExhausted',
      attempts: 3,
      response: {
        ok: false,
        error: { code: 'FunctionError', name: 'TypeError', message: 'x is undefined', stack },
      },
    });
    expect(record.requestContext).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record.responsePayload).toEqual({
      errorType: 'TypeError',
      errorMessage: 'x is undefined',
      trace: ['TypeError: x is undefined', '    at handler (index.js:3:9)'],
    });
  });

  it('names a platform failure by our code, without a trace', () => {
    const record = destinationRecord({
      ...common,
      condition: 'RetriesExhausted',
      attempts: 1,
      response: {
        ok: false,
        error: { code: 'FunctionTimeout', message: 'timed out after 3000 ms' },
      },
    });
    expect(record.responsePayload).toEqual({
      errorType: 'FunctionTimeout',
      errorMessage: 'timed out after 3000 ms',
    });
  });

  it('has no response when the event aged out before an attempt', () => {
    const record = destinationRecord({ ...common, condition: 'EventAgeExceeded', attempts: 0 });
    expect(record.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(record).not.toHaveProperty('responseContext');
    expect(record).not.toHaveProperty('responsePayload');
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});
