import { describe, expect, it } from 'vitest';
import { parseFunctionConfig, parseFunctionConfigPatch } from './config.ts';

describe('function config', () => {
  it('fills the defaults of docs/api.md', () => {
    expect(parseFunctionConfig({})).toEqual({
      timeout_ms: 3000,
      memory_mb: 128,
      max_concurrency: 8,
      env: {},
    });
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
