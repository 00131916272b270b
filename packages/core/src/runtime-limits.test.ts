import { describe, expect, it } from 'vitest';
import {
  defaultRuntimeLimits,
  fillRuntimeLimits,
  runtimeLimitsInputSchema,
  runtimeLimitsSchema,
} from './runtime-limits.ts';

const MACHINE = { cores: 8, totalMemoryMb: 16_001 };

describe('runtime limits', () => {
  it('scales the machine-dependent defaults with the machine it is given', () => {
    expect(defaultRuntimeLimits(MACHINE, 'async')).toMatchObject({
      execution: 'async',
      maxExecuting: 8,
      maxTotalMemoryMb: 8000,
    });
    expect(defaultRuntimeLimits({ cores: 1, totalMemoryMb: 512 }, 'sync')).toMatchObject({
      execution: 'sync',
      maxExecuting: 2,
      maxTotalMemoryMb: 256,
    });
  });

  it('defaults are complete limits within their bounds', () => {
    const defaults = defaultRuntimeLimits(MACHINE, 'sync');
    expect(runtimeLimitsSchema.parse(defaults)).toEqual(defaults);
  });

  it('fills what was not given, and what was given as undefined, from the defaults', () => {
    const defaults = defaultRuntimeLimits(MACHINE, 'async');
    const given = runtimeLimitsInputSchema.parse({ maxIsolates: 12, queueLimit: undefined });
    expect(fillRuntimeLimits(given, defaults)).toEqual({ ...defaults, maxIsolates: 12 });
  });

  it('checks each given bound and names the bad field', () => {
    const bad = runtimeLimitsInputSchema.safeParse({ maxIsolates: 0 });
    expect(bad.error?.issues.map((i) => i.path)).toEqual([['maxIsolates']]);
    expect(runtimeLimitsInputSchema.safeParse({ maxIsolate: 1 }).success).toBe(false);
  });

  it('complete limits have every bound: nothing is filled in', () => {
    const { logLimit: _, ...partial } = defaultRuntimeLimits(MACHINE, 'async');
    const missing = runtimeLimitsSchema.safeParse(partial);
    expect(missing.error?.issues.map((i) => i.path)).toEqual([['logLimit']]);
  });
});
