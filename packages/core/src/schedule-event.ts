import { MiniLambdaError } from './errors.ts';

/** A schedule's name: a letter or digit, then up to 63 of letters, digits, `.`, `_`, `-`. */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The `source` of every event a schedule sends. */
export const SCHEDULE_EVENT_SOURCE = 'mini-lambda.schedule';

export function validScheduleName(name: unknown): name is string {
  return typeof name === 'string' && SCHEDULE_NAME_PATTERN.test(name);
}

/** Returns the name unchanged, or throws `InvalidName`. */
export function parseScheduleName(name: unknown): string {
  if (validScheduleName(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name;
  throw new MiniLambdaError(
    'InvalidName',
    `Schedule name ${shown} is invalid: use 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit`,
  );
}

/** The event one tick of a schedule delivers. */
export interface ScheduleEvent {
  id: string;
  source: typeof SCHEDULE_EVENT_SOURCE;
  schedule: string;
  /** The tick (the scheduled time, not when it was fired), ISO 8601. */
  time: string;
  /** The schedule's `event`, or `{}` when it has none. */
  detail: unknown;
}

/** The event of one tick; a schedule without an event sends `detail: {}`. */
export function scheduleEvent(e: {
  id: string;
  schedule: string;
  time: Date;
  detail: unknown;
}): ScheduleEvent {
  return {
    id: e.id,
    source: SCHEDULE_EVENT_SOURCE,
    schedule: e.schedule,
    time: e.time.toISOString(),
    detail: e.detail ?? {},
  };
}

/**
 * The same event as JSON text, with the schedule's stored event text spliced in unparsed, so
 * its exact text (number spellings, key order) reaches the function as it was stored.
 */
export function scheduleEventJson(e: {
  id: string;
  schedule: string;
  time: Date;
  detailJson: string | null;
}): string {
  const head = JSON.stringify(scheduleEvent({ ...e, detail: {} }));
  // `detail` is the last key and `{}` its value: replace those two closing characters.
  return `${head.slice(0, -3)}${e.detailJson ?? '{}'}}`;
}
