import type { HttpResponseData, InvocationFailure, InvocationSuccess } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { eventOutcome, fetchOutcome } from './answer.ts';

const success: InvocationSuccess = {
  ok: true,
  result: '{"statusCode":201,"body":"made"}',
  invocationId: 'inv-1',
  coldStart: true,
  durationMs: 2,
  initDurationMs: 1,
  logs: { text: 'INFO hi', dropped: 0 },
};
const failure: InvocationFailure = { ...success, ok: false, reason: 'timeout', message: 'late' };
const response: HttpResponseData = {
  status: 200,
  statusText: 'OK',
  headers: [['a', 'b']],
  body: new Uint8Array(1),
};

describe('eventOutcome', () => {
  it("reads a success's result as a Function URL response", () => {
    const read = eventOutcome(success);
    expect(read.ok && [read.answer.status, Buffer.from(read.answer.body).toString()]).toEqual([
      201,
      'made',
    ]);
  });

  it("turns a result that is no response into the function's invalid_result, keeping the rest", () => {
    expect(eventOutcome({ ...success, result: '{"statusCode":700}' })).toEqual({
      ok: false,
      outcome: {
        ok: false,
        reason: 'invalid_result',
        message:
          "The function's result is not a valid HTTP response: statusCode 700 is not an HTTP status of 200-599",
        invocationId: 'inv-1',
        coldStart: true,
        durationMs: 2,
        initDurationMs: 1,
        logs: { text: 'INFO hi', dropped: 0 },
      },
    });
  });

  it('passes failures through', () => {
    expect(eventOutcome(failure)).toEqual({ ok: false, outcome: failure });
  });
});

describe('fetchOutcome', () => {
  it("takes the runtime's response", () => {
    const read = fetchOutcome({ ...success, result: '', response });
    expect(read.ok && read.answer).toEqual({
      status: 200,
      headers: [['a', 'b']],
      body: new Uint8Array(1),
    });
  });

  it.each([
    [undefined, 'the runtime brought back no response'],
    [{ ...response, status: 101 }, 'status 101 is not an HTTP status of 200-599'],
    [{ ...response, body: 'text' }, 'the response is malformed'],
    [{ ...response, headers: {} }, 'the response is malformed'],
  ])('refuses %j', (bad, why) => {
    const read = fetchOutcome({ ...success, result: '', response: bad as HttpResponseData });
    expect(!read.ok && read.outcome.reason).toBe('invalid_result');
    expect(!read.ok && read.outcome.message).toBe(
      `The function's result is not a valid HTTP response: ${why}`,
    );
  });
});
