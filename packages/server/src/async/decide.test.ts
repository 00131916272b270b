import {
  type AsyncConfig,
  asyncConfigSchema,
  type FailureReason,
  type InvocationFailure,
  NO_LOGS,
} from '@mini-lambda/core';
import type { TakenEvent } from '@mini-lambda/store';
import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  type DecideContext,
  decide,
  internalFailure,
  MAX_DESTINATION_DEPTH,
  RECORD_TOO_LARGE,
} from './decide.ts';

const NOW = new Date('2030-01-02T03:04:05.678Z');
const DEST_POLICY = { maxRetries: 1, retryDelayMs: 500, maxEventAgeS: 60 };

function taken(over: Partial<TakenEvent> = {}): TakenEvent {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    functionName: 'fn',
    version: null,
    payload: '{"order":42}',
    attempts: 1,
    policy: { maxRetries: 2, retryDelayMs: 100, maxEventAgeS: 3600 },
    depth: 0,
    acceptedAt: new Date(NOW.getTime() - 1000),
    createdAt: new Date(NOW.getTime() - 1000),
    aged: false,
    lease: '99999999-2222-4333-8444-555555555555',
    lost: false,
    ...over,
  };
}

function ctx(config: Partial<AsyncConfig> = {}): DecideContext {
  let n = 0;
  return {
    config: asyncConfigSchema.parse(config),
    destinationPolicy: () => DEST_POLICY,
    newId: () => `dest-${++n}`,
    now: NOW,
  };
}

const base = { invocationId: 'x', coldStart: false, durationMs: 5, logs: NO_LOGS };
const ok = (result: string): Attempt => ({ kind: 'ran', outcome: { ...base, ok: true, result } });
function failed(reason: FailureReason, extra: Partial<InvocationFailure> = {}): Attempt {
  return { kind: 'ran', outcome: { ...base, ok: false, reason, message: `m:${reason}`, ...extra } };
}
const thrown = failed('error', {
  error: { name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at handler' },
});

describe('decide: success', () => {
  it('succeeds with the result text, and no destination without on_success', () => {
    expect(decide(taken(), ok('{"a":1}'), ctx())).toEqual({
      completion: { kind: 'succeeded', result: '{"a":1}' },
      delivery: 'success',
    });
  });

  it('keeps no result for an empty one (a fetch-style function answers with a response)', () => {
    expect(decide(taken(), ok(''), ctx()).completion).toEqual({ kind: 'succeeded', result: null });
  });

  it('sends Lambda’s Success record to on_success, one hop deeper, with its policy', () => {
    const d = decide(taken({ attempts: 2, depth: 3 }), ok('{"a":1}'), ctx({ on_success: 'next' }));
    expect(d.condition).toBe('Success');
    expect(d.completion.kind).toBe('succeeded');
    const dest = d.completion.kind === 'succeeded' ? d.completion.destination : undefined;
    expect(dest).toMatchObject({
      id: 'dest-1',
      functionName: 'next',
      policy: DEST_POLICY,
      depth: 4,
    });
    expect(JSON.parse(dest?.payload ?? '')).toEqual({
      version: '1.0',
      timestamp: NOW.toISOString(),
      requestContext: {
        requestId: taken().id,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST',
        condition: 'Success',
        approximateInvokeCount: 2,
      },
      requestPayload: { order: 42 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { a: 1 },
    });
  });

  it('ends a success without a record at the depth bound (one hop below still sends)', () => {
    const below = decide(
      taken({ depth: MAX_DESTINATION_DEPTH - 1 }),
      ok('1'),
      ctx({ on_success: 'n' }),
    );
    expect(below.completion).toMatchObject({ destination: { depth: MAX_DESTINATION_DEPTH } });
    const at = decide(taken({ depth: MAX_DESTINATION_DEPTH }), ok('1'), ctx({ on_success: 'n' }));
    expect(at).toEqual({
      completion: { kind: 'succeeded', result: '1' },
      delivery: 'success',
      loopBounded: true,
    });
  });
});

describe('decide: not run', () => {
  it.each([
    ['throttled', 5000, 5000],
    ['throttled', 10, 100],
    ['throttled', 400, 400],
    ['throttled', undefined, 250],
    ['quarantined', 20_000, 20_000],
    ['quarantined', 120_000, 30_000],
  ] as const)(
    '%s (retry hint %s ms) releases the event after %s ms, uncounted, and pauses the function',
    (reason, hint, delayMs) => {
      const attempt = failed(reason, hint === undefined ? {} : { retryAfterMs: hint });
      expect(decide(taken({ attempts: 3 }), attempt, ctx({ on_failure: 'f' }))).toEqual({
        completion: { kind: 'released', delayMs },
        pauseMs: delayMs,
      });
    },
  );

  it('our infrastructure unavailable: released uncounted, the function paused', () => {
    const d = decide(taken({ attempts: 3 }), { kind: 'unavailable', pauseMs: 5000 }, ctx());
    expect(d).toEqual({ completion: { kind: 'released', delayMs: 5000 }, pauseMs: 5000 });
  });
});

describe('decide: destination records splice the stored texts', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('a 6000-level event and result go into the record as they are (no stack overflow)', () => {
    // JSON.stringify of the parsed value overflows the stack: what the old code did.
    expect(() => JSON.stringify(JSON.parse(deep(6000)))).toThrow(RangeError);
    const event = taken({ payload: deep(6000), attempts: 3 });
    const success = decide(event, ok(deep(6000)), ctx({ on_success: 'next' }));
    const dest =
      success.completion.kind === 'succeeded' ? success.completion.destination : undefined;
    expect(dest?.payload).toContain(`"requestPayload":${deep(6000)},`);
    expect(dest?.payload.endsWith(`"responsePayload":${deep(6000)}}`)).toBe(true);
    const failure = decide(event, thrown, ctx({ on_failure: 'sink' }));
    const fdest = failure.completion.kind === 'failed' ? failure.completion.destination : undefined;
    expect(fdest?.payload).toContain(`"requestPayload":${deep(6000)},`);
    const aged = decide(event, { kind: 'aged' }, ctx({ on_failure: 'sink' }));
    expect(aged.completion.kind).toBe('failed');
  });

  it('keeps the exact text of numbers JSON.parse would round', () => {
    const event = taken({ payload: '{"n":12345678901234567890, "x" : 1.10}' });
    const d = decide(event, ok('[12345678901234567890]'), ctx({ on_success: 'next' }));
    const payload = d.completion.kind === 'succeeded' ? d.completion.destination?.payload : '';
    expect(payload).toContain('"requestPayload":{"n":12345678901234567890, "x" : 1.10}');
    expect(payload).toContain('"responsePayload":[12345678901234567890]');
    // Still a record JSON.parse reads, equal to the one built from parsed values.
    const parsed = JSON.parse(payload ?? '');
    expect(parsed.requestContext.condition).toBe('Success');
    expect(parsed.responsePayload).toEqual(JSON.parse('[12345678901234567890]'));
  });

  it('a user string equal to a placeholder prefix is left alone', () => {
    const event = taken({ payload: '"\\u0000raw-json-"' });
    const d = decide(event, ok('"\\u0000raw-json-x-0"'), ctx({ on_success: 'next' }));
    const payload = d.completion.kind === 'succeeded' ? d.completion.destination?.payload : '';
    const parsed = JSON.parse(payload ?? '');
    expect(parsed.requestPayload).toBe('\u0000raw-json-');
    expect(parsed.responsePayload).toBe('\u0000raw-json-x-0');
  });

  it('a record over 1 MB is not sent: a success stands, a failure is a dead letter saying why', () => {
    const big = JSON.stringify('x'.repeat(1024 * 1024));
    const s = decide(taken(), ok(big), ctx({ on_success: 'next' }));
    expect(s.completion).toEqual({ kind: 'succeeded', result: big });
    expect(s.delivery).toBe('success');
    expect(s.recordTooLarge).toBeGreaterThan(1024 * 1024);
    expect(s.condition).toBeUndefined();

    const event = taken({ attempts: 3, payload: `${big.slice(0, 1000 * 1024)}"` });
    const f = decide(
      event,
      {
        kind: 'ran',
        outcome: { ...base, ok: false, reason: 'error', message: 'y'.repeat(100 * 1024) },
      },
      ctx({ on_failure: 'sink' }),
    );
    expect(f.completion.kind).toBe('dead');
    const error = f.completion.kind === 'dead' ? f.completion.error : undefined;
    expect(error?.code).toBe(RECORD_TOO_LARGE);
    expect(error?.message).toContain('FunctionError');
    expect(f.recordTooLarge).toBeGreaterThan(1024 * 1024);
    expect(f.delivery).toBe('error');

    // Just under the limit it is sent.
    const fits = decide(
      taken(),
      ok(JSON.stringify('x'.repeat(1000 * 1024))),
      ctx({ on_success: 'next' }),
    );
    expect(fits.condition).toBe('Success');
  });

  it('executedVersion: the pinned version that ran, $LATEST when unpinned', () => {
    const pinned = decide(taken({ version: 7 }), ok('1'), ctx({ on_success: 'next' }));
    const unpinned = decide(taken(), ok('1'), ctx({ on_success: 'next' }));
    const version = (d: ReturnType<typeof decide>) =>
      d.completion.kind === 'succeeded'
        ? JSON.parse(d.completion.destination?.payload ?? '').responseContext.executedVersion
        : undefined;
    expect(version(pinned)).toBe('7');
    expect(version(unpinned)).toBe('$LATEST');
  });
});

describe('internalFailure', () => {
  it('a success stays a success without destination; anything else is dead, InternalError', () => {
    expect(internalFailure(ok('1'), new RangeError('x')).completion).toEqual({
      kind: 'succeeded',
      result: null,
    });
    const d = internalFailure(thrown, new RangeError('Maximum call stack size exceeded'));
    expect(d.completion).toMatchObject({ kind: 'dead', error: { code: 'InternalError' } });
    expect(d.delivery).toBe('error');
  });
});

describe('decide: failures and retries', () => {
  it('retries while attempts ≤ max_retries, the wait doubling exactly, then a dead letter', () => {
    for (const retryDelayMs of [100, 60_000, 900_000]) {
      const policy = { maxRetries: 2, retryDelayMs, maxEventAgeS: 60 };
      const at = (attempts: number) =>
        decide(taken({ attempts, policy }), thrown, ctx()).completion;
      const error = { code: 'FunctionError', message: 'm:error', name: 'TypeError' };
      expect(at(1)).toEqual({ kind: 'retry', delayMs: retryDelayMs, error });
      expect(at(2)).toEqual({ kind: 'retry', delayMs: retryDelayMs * 2, error });
      expect(at(3)).toEqual({ kind: 'dead', error });
    }
  });

  it('with max_retries 0 the first failure is final', () => {
    const policy = { maxRetries: 0, retryDelayMs: 100, maxEventAgeS: 60 };
    expect(decide(taken({ policy }), failed('timeout'), ctx()).completion.kind).toBe('dead');
  });

  it.each([
    ['timeout', 'FunctionTimeout', 'timeout'],
    ['oom', 'OutOfMemory', 'oom'],
    ['crashed', 'SandboxRestarted', 'crashed'],
    ['invalid_result', 'InvalidResult', 'error'],
    ['result_too_large', 'ResultTooLarge', 'error'],
    ['invalid_event', 'InvalidJSON', 'error'],
  ] as const)('%s is a failed attempt with code %s, counted as %s', (reason, code, delivery) => {
    expect(decide(taken(), failed(reason), ctx())).toEqual({
      completion: { kind: 'retry', delayMs: 100, error: { code, message: `m:${reason}` } },
      delivery,
    });
  });

  it('hands an exhausted event to on_failure with Lambda’s RetriesExhausted record', () => {
    const d = decide(taken({ attempts: 3 }), thrown, ctx({ on_failure: 'dlq' }));
    expect(d.condition).toBe('RetriesExhausted');
    expect(d.delivery).toBe('error');
    expect(d.completion).toMatchObject({
      kind: 'failed',
      error: { code: 'FunctionError', message: 'm:error', name: 'TypeError' },
      destination: { id: 'dest-1', functionName: 'dlq', depth: 1, policy: DEST_POLICY },
    });
    const dest = d.completion.kind === 'failed' ? d.completion.destination : undefined;
    const record = JSON.parse(dest?.payload ?? '');
    expect(record.requestContext).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
    expect(record.requestPayload).toEqual({ order: 42 });
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record.responsePayload).toEqual({
      errorType: 'TypeError',
      errorMessage: 'm:error',
      trace: ['TypeError: boom', '    at handler'],
    });
  });

  it('makes an exhausted event a dead letter at the depth bound, even with on_failure', () => {
    const d = decide(
      taken({ attempts: 3, depth: MAX_DESTINATION_DEPTH }),
      failed('timeout'),
      ctx({ on_failure: 'dlq' }),
    );
    expect(d).toEqual({
      completion: { kind: 'dead', error: { code: 'FunctionTimeout', message: 'm:timeout' } },
      delivery: 'timeout',
      loopBounded: true,
    });
  });
});

describe('decide: aged and lost', () => {
  it('does not run an aged event: a dead letter with EventAgeExceeded', () => {
    const d = decide(taken({ aged: true, attempts: 2 }), { kind: 'aged' }, ctx());
    expect(d.delivery).toBe('aged_out');
    expect(d.completion).toMatchObject({ kind: 'dead', error: { code: 'EventAgeExceeded' } });
  });

  it('sends an aged event to on_failure, without a response, counting attempts that ran', () => {
    const d = decide(
      taken({ aged: true, attempts: 2 }),
      { kind: 'aged' },
      ctx({ on_failure: 'f' }),
    );
    expect(d.condition).toBe('EventAgeExceeded');
    const dest = d.completion.kind === 'failed' ? d.completion.destination : undefined;
    const record = JSON.parse(dest?.payload ?? '');
    expect(record.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 1,
    });
    expect(record).not.toHaveProperty('responseContext');
    expect(record).not.toHaveProperty('responsePayload');
  });

  it('counts an expired lease as a failed attempt: retried, then dead', () => {
    const lost: Attempt = { kind: 'lease_expired' };
    const error = {
      code: 'LeaseExpired',
      message: 'the instance delivering it stopped before it finished',
    };
    expect(decide(taken({ attempts: 2 }), lost, ctx())).toEqual({
      completion: { kind: 'retry', delayMs: 200, error },
      delivery: 'lease_expired',
    });
    expect(decide(taken({ attempts: 3 }), lost, ctx()).completion).toEqual({ kind: 'dead', error });
  });

  it('counts an attempt we could not run as a failed one, with our error', () => {
    const error = { code: 'StorageUnavailable', message: 'no bundle' };
    const notRun: Attempt = { kind: 'not_run', error };
    expect(decide(taken(), notRun, ctx())).toEqual({
      completion: { kind: 'retry', delayMs: 100, error },
      delivery: 'error',
    });
  });
});
