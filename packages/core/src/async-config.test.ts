import { describe, expect, it } from 'vitest';
import { ASYNC_LIMITS, asyncPolicy, retryDelayMs } from './async-config.ts';
import { parseFunctionConfig, parseFunctionConfigPatch } from './config.ts';

function rejects(
  input: unknown,
  field: string,
  parse: (input: unknown) => unknown = parseFunctionConfig,
) {
  try {
    parse(input);
    expect.unreachable(`${JSON.stringify(input)} was accepted`);
  } catch (err) {
    expect(err).toMatchObject({ code: 'InvalidConfig', status: 400 });
    expect((err as Error).message).toContain(field);
  }
}

describe('async config', () => {
  it('is filled with its defaults, also for a stored config written before it existed', () => {
    const stored = { timeout_ms: 1000, memory_mb: 64, max_concurrency: 2, env: {}, public: false };
    expect(parseFunctionConfig(stored).async).toEqual({
      max_retries: 2,
      retry_delay_ms: 60_000,
      max_event_age_s: 21_600,
    });
    expect(parseFunctionConfig({ async: {} }).async).toEqual(parseFunctionConfig({}).async);
  });

  it('takes every bound and the destinations', () => {
    const { maxRetries, retryDelayMs: d, maxEventAgeS: a } = ASYNC_LIMITS;
    for (const [max_retries, retry_delay_ms, max_event_age_s] of [
      [maxRetries.min, d.min, a.min],
      [maxRetries.max, d.max, a.max],
    ]) {
      const async = { max_retries, retry_delay_ms, max_event_age_s, on_failure: 'dlq-fn' };
      expect(parseFunctionConfig({ async }).async).toEqual(async);
    }
    expect(parseFunctionConfig({ async: { on_success: 'next' } }).async.on_success).toBe('next');
  });

  it.each([
    [{ max_retries: 3 }, 'async.max_retries'],
    [{ max_retries: -1 }, 'async.max_retries'],
    [{ max_retries: 1.5 }, 'async.max_retries'],
    [{ retry_delay_ms: 99 }, 'async.retry_delay_ms'],
    [{ retry_delay_ms: 900_001 }, 'async.retry_delay_ms'],
    [{ retry_delay_ms: '100' }, 'async.retry_delay_ms'],
    [{ max_event_age_s: 0 }, 'async.max_event_age_s'],
    [{ max_event_age_s: 21_601 }, 'async.max_event_age_s'],
    [{ on_success: 'Not_A_Name' }, 'async.on_success'],
    [{ on_failure: '' }, 'async.on_failure'],
    [{ on_failure: 42 }, 'async.on_failure'],
    [{ dead_letter: 'x' }, 'async'],
  ])('rejects async %j naming %s', (async, field) => {
    rejects({ async }, field);
    rejects({ async }, field, parseFunctionConfigPatch);
  });

  it('rejects an async value that is not an object', () => {
    rejects({ async: null }, 'async');
    rejects({ async: [] }, 'async');
  });

  it('is replaced whole by a patch: fields left out get their defaults', () => {
    expect(parseFunctionConfigPatch({ async: { max_retries: 0 } })).toEqual({
      async: { max_retries: 0, retry_delay_ms: 60_000, max_event_age_s: 21_600 },
    });
    expect(parseFunctionConfigPatch({ timeout_ms: 10 })).not.toHaveProperty('async');
  });

  it('gives the policy an event carries', () => {
    const async = parseFunctionConfig({ async: { max_retries: 1, retry_delay_ms: 250 } }).async;
    expect(asyncPolicy(async)).toEqual({
      maxRetries: 1,
      retryDelayMs: 250,
      maxEventAgeS: 21_600,
    });
  });

  it('doubles the retry delay after each failed attempt', () => {
    const policy = { retryDelayMs: 60_000 };
    // Lambda's defaults: one minute after the first attempt, two after the second.
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n))).toEqual([60_000, 120_000, 240_000]);
    expect(retryDelayMs({ retryDelayMs: 100 }, 1)).toBe(100);
  });
});
