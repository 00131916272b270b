import { describe, expect, it } from 'vitest';
import { MiniLambdaError, statusOf } from './errors.ts';
import { FAILURE_ERROR_CODE } from './outcome.ts';

describe('errors', () => {
  it('serialises to the docs/api.md error shape with details', () => {
    const err = new MiniLambdaError('BuildFailed', 'Build failed', { errors: [{ text: 'x' }] });
    expect(err.status).toBe(422);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      error: { code: 'BuildFailed', message: 'Build failed', errors: [{ text: 'x' }] },
    });
  });

  it('maps every failure reason to a code with the status of docs/api.md', () => {
    expect(
      Object.fromEntries(Object.entries(FAILURE_ERROR_CODE).map(([r, c]) => [r, statusOf(c)])),
    ).toEqual({
      error: 500,
      timeout: 504,
      oom: 500,
      invalid_result: 500,
      result_too_large: 500,
      invalid_event: 400,
      throttled: 429,
      crashed: 503,
      quarantined: 503,
    });
  });
});
