import { parseSchedule } from '@mini-lambda/core';
import { describe, expect, it } from 'vitest';
import { graceMs } from './scheduler.ts';

const tick = new Date('2030-03-04T05:06:00Z');
const grace = (expression: string) => graceMs(parseSchedule({ expression }), tick);

describe('graceMs', () => {
  it('is the period, within 1 s and 60 s', () => {
    expect(grace('rate(1 second)')).toBe(1000);
    expect(grace('rate(5 seconds)')).toBe(5000);
    expect(grace('rate(1 minute)')).toBe(60_000);
    expect(grace('rate(2 hours)')).toBe(60_000);
  });

  it('takes a cron’s gap to its next run', () => {
    expect(grace('cron(*/10 * * * * *)')).toBe(10_000);
    expect(grace('cron(* * * * * *)')).toBe(1000);
    expect(grace('cron(0 3 * * *)')).toBe(60_000);
  });

  it('is the longest grace when nothing is known', () => {
    expect(graceMs(null, tick)).toBe(60_000);
    expect(graceMs(parseSchedule({ expression: 'rate(1 second)' }), null)).toBe(60_000);
  });
});
