const UNIT_MS = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
} as const;

/** The longest period a rate may have: ten years, so every next run stays a valid Date. */
export const MAX_RATE_MS = 3650 * UNIT_MS.day;

const RATE = /^rate\(\s*([1-9][0-9]{0,15})\s+(second|minute|hour|day)s?\s*\)$/;

/**
 * The period of `rate(N unit)` in ms (N a whole number ≥ 1; units second, minute, hour, day,
 * singular or plural), or `undefined` when the text is not one or the period is over ten years.
 */
export function parseRate(expression: string): number | undefined {
  const match = RATE.exec(expression);
  if (!match) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  const periodMs = Number(match[1]) * UNIT_MS[unit];
  return periodMs <= MAX_RATE_MS ? periodMs : undefined;
}
