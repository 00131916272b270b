import { Cron } from 'croner';
import { MiniLambdaError } from './errors.ts';
import { parseRate } from './rate.ts';

/** A parsed schedule expression: a fixed period, or a cron pattern in a time zone. */
export type ScheduleSpec =
  | { kind: 'rate'; expression: string; periodMs: number }
  | { kind: 'cron'; expression: string; pattern: string; timezone: string; cron: Cron };

/** The time zone of a schedule without one. */
export const DEFAULT_SCHEDULE_TIMEZONE = 'UTC';

/** A cron that does not fire within this many years is refused: it almost certainly never will. */
const CRON_HORIZON_YEARS = 5;

const CRON = /^cron\((.*)\)$/s;
// An IANA name (Area/Location, Etc/GMT+5, UTC). Intl also takes offsets such as "+02:00"; they
// stay out so a schedule always names a zone whose rules, DST included, are in the tz database.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

function invalid(message: string): MiniLambdaError {
  return new MiniLambdaError('InvalidConfig', `Invalid schedule: ${message}`);
}

/** The time zone's canonical spelling, or throws `InvalidConfig` when Intl does not know it. */
export function parseTimeZone(timezone: string): string {
  if (ZONE_NAME.test(timezone)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
    } catch {
      // falls through to the error below
    }
  }
  throw invalid(`timezone: unknown time zone ${JSON.stringify(timezone.slice(0, 80))}`);
}

/**
 * Parses `rate(N unit)` or `cron(5 or 6 fields)` (6: seconds first) with an optional IANA
 * time zone (cron only; default UTC), or throws `InvalidConfig` naming what is wrong.
 */
export function parseSchedule(input: {
  expression: string;
  timezone?: string | null;
}): ScheduleSpec {
  const { expression } = input;
  const timezone =
    input.timezone == null ? DEFAULT_SCHEDULE_TIMEZONE : parseTimeZone(input.timezone);
  if (expression.startsWith('rate(')) {
    const periodMs = parseRate(expression);
    if (periodMs === undefined) {
      throw invalid(
        `expression: ${JSON.stringify(expression.slice(0, 80))} is not rate(N seconds|minutes|hours|days) with a whole N ≥ 1`,
      );
    }
    return { kind: 'rate', expression, periodMs };
  }
  const cron = CRON.exec(expression);
  if (!cron) {
    throw invalid(
      `expression: ${JSON.stringify(expression.slice(0, 80))} is neither rate(…) nor cron(…)`,
    );
  }
  const pattern = (cron[1] ?? '').trim();
  const fields = pattern.split(/\s+/).filter(Boolean).length;
  // croner also takes 7 fields (a year) and nicknames such as @daily: not part of our contract.
  if (fields !== 5 && fields !== 6) {
    throw invalid(`expression: cron takes 5 fields, or 6 with seconds first (got ${fields})`);
  }
  let job: Cron;
  let first: Date | null;
  try {
    job = new Cron(pattern, { paused: true, mode: '5-or-6-parts', timezone });
    first = job.nextRun(new Date());
  } catch (err) {
    throw invalid(`expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
  const horizon = new Date();
  horizon.setUTCFullYear(horizon.getUTCFullYear() + CRON_HORIZON_YEARS);
  if (first === null || first > horizon) {
    throw invalid(`expression: cron(${pattern}) does not fire within ${CRON_HORIZON_YEARS} years`);
  }
  return { kind: 'cron', expression, pattern, timezone, cron: job };
}

/**
 * The first occurrence strictly after `now`. A rate stays on the grid of its previous run
 * (`previous + k·period`), so a late tick does not shift later ones; without a previous run
 * the first is one period from now. `undefined`: a cron that never fires again.
 */
export function nextRun(
  spec: ScheduleSpec,
  previous: Date | undefined,
  now: Date,
): Date | undefined {
  if (spec.kind === 'rate') {
    if (previous === undefined) return new Date(now.getTime() + spec.periodMs);
    const behind = now.getTime() - previous.getTime();
    const steps = behind < 0 ? 1 : Math.floor(behind / spec.periodMs) + 1;
    return new Date(previous.getTime() + steps * spec.periodMs);
  }
  return spec.cron.nextRun(now) ?? undefined;
}

/**
 * The gap between `tick` and the occurrence after it: a rate's period, or for a cron the
 * distance to its next run (`undefined` when there is none).
 */
export function periodAfter(spec: ScheduleSpec, tick: Date): number | undefined {
  if (spec.kind === 'rate') return spec.periodMs;
  const after = spec.cron.nextRun(tick);
  return after ? after.getTime() - tick.getTime() : undefined;
}
