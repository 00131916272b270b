import { describe, expect, it } from 'vitest';
import { parseFunctionConfig, parseFunctionConfigPatch } from './config.ts';

describe('function config', () => {
  it('fills the defaults of docs/api.md', () => {
    expect(parseFunctionConfig({})).toEqual({
      timeout_ms: 3000,
      memory_mb: 128,
      max_concurrency: 8,
      env: {},
      public: false,
      egress: 'public',
      max_subrequests: 50,
      async: { max_retries: 2, retry_delay_ms: 60_000, max_event_age_s: 21_600 },
    });
  });

  it('takes egress as public, none, or a list of DNS host patterns', () => {
    for (const egress of ['public', 'none', [], ['api.stripe.com', '*.example.com', 'a-b.c0']]) {
      expect(parseFunctionConfig({ egress }).egress).toEqual(egress);
    }
  });

  it.each([
    [{ timeout_ms: 0 }, 'timeout_ms'],
    [{ timeout_ms: 900_001 }, 'timeout_ms'],
    [{ timeout_ms: 1.5 }, 'timeout_ms'],
    [{ memory_mb: 15 }, 'memory_mb'],
    [{ memory_mb: 1025 }, 'memory_mb'],
    [{ max_concurrency: 0 }, 'max_concurrency'],
    [{ env: { 'BAD-KEY': 'x' } }, 'env'],
    [JSON.parse('{"env":{"__proto__":"x","A":"1"}}'), 'env'],
    [{ env: { K: 1 } }, 'env'],
    [{ env: { K: 'x'.repeat(5000) } }, 'env'],
    [{ surprise: true }, ''],
    [{ public: 'yes' }, 'public'],
    [{ max_subrequests: -1 }, 'max_subrequests'],
    [{ max_subrequests: 1001 }, 'max_subrequests'],
    [{ egress: 'all' }, 'egress'],
    [{ egress: ['https://api.example.com'] }, 'egress'],
    [{ egress: ['api.example.com:443'] }, 'egress'],
    [{ egress: ['*'] }, 'egress'],
    [{ egress: ['a.*.com'] }, 'egress'],
    [{ egress: ['Upper.Case'] }, 'egress'],
    [{ egress: ['10.0.0.1/8'] }, 'egress'],
    [{ egress: Array.from({ length: 101 }, (_, i) => `h${i}.example`) }, 'egress'],
  ])('rejects %j as InvalidConfig naming the field', (input, field) => {
    try {
      parseFunctionConfig(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'InvalidConfig', status: 400 });
      expect((err as Error).message).toContain(field);
    }
  });

  it('parses a patch without filling defaults', () => {
    expect(parseFunctionConfigPatch({ timeout_ms: 500 })).toEqual({ timeout_ms: 500 });
    expect(() => parseFunctionConfigPatch({ memory_mb: 4096 })).toThrow(/memory_mb/);
    expect(() => parseFunctionConfigPatch({ nope: 1 })).toThrow(/Invalid config/);
  });
});
