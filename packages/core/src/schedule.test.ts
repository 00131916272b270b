import { describe, expect, it } from 'vitest';
import {
  nextRun,
  parseSchedule,
  parseTimeZone,
  periodAfter,
  type ScheduleSpec,
} from './schedule.ts';
import {
  parseScheduleName,
  scheduleEvent,
  scheduleEventJson,
  validScheduleName,
} from './schedule-event.ts';

const at = (iso: string) => new Date(iso);

function rejected(input: { expression: string; timezone?: string }): string {
  try {
    parseSchedule(input);
  } catch (err) {
    expect(err).toMatchObject({ code: 'InvalidConfig', status: 400 });
    return (err as Error).message;
  }
  return expect.unreachable(`${JSON.stringify(input)} was accepted`);
}

/** The wall-clock fields of `date` in `timeZone`, computed by Intl (independent of croner). */
function local(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: get('weekday'),
    day: Number(get('day')),
    month: Number(get('month')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
  };
}

/** The first instant after `now`, stepping `stepMs`, whose local fields satisfy `matches`. */
function bruteForce(
  now: Date,
  stepMs: number,
  timeZone: string,
  matches: (l: ReturnType<typeof local>) => boolean,
): Date {
  let t = Math.floor(now.getTime() / stepMs) * stepMs + stepMs;
  for (let i = 0; i < 20_000; i++, t += stepMs) {
    if (matches(local(new Date(t), timeZone))) return new Date(t);
  }
  throw new Error('no match within 20,000 steps');
}

function runs(spec: ScheduleSpec, from: Date, n: number): Date[] {
  const out: Date[] = [];
  let now = from;
  for (let i = 0; i < n; i++) {
    const next = nextRun(spec, undefined, now);
    if (!next) break;
    out.push(next);
    now = next;
  }
  return out;
}

describe('parseSchedule', () => {
  it.each([
    ['rate(1 second)', 1000],
    ['rate(30 seconds)', 30_000],
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(1 days)', 86_400_000],
    ['rate( 3  hour )', 10_800_000],
  ])('reads %s as a period of %d ms', (expression, periodMs) => {
    expect(parseSchedule({ expression })).toEqual({ kind: 'rate', expression, periodMs });
  });

  it.each([
    'every tuesday',
    'cron(61 * * * *)',
    'cron(0 9 * * 8)',
    'cron(0 25 * * *)',
    'cron(* * * *)',
    'cron(* * * * * * *)',
    'cron(@daily)',
    'cron()',
    'cron(0 0 30 2 *)',
    'rate(0 seconds)',
    'rate(1.5 minutes)',
    'rate(-1 minutes)',
    'rate(01 minutes)',
    'rate(5 fortnights)',
    'rate(5 weeks)',
    'rate(5)',
    'rate(minutes)',
    'rate(5 minutes',
    'rate(5 Minutes)',
    'rate(99999999 days)',
    ' rate(5 minutes)',
    '*/5 * * * *',
    '',
  ])('rejects %j as InvalidConfig naming the expression', (expression) => {
    expect(rejected({ expression })).toMatch(/^Invalid schedule: expression: /);
  });

  it('says why a cron is refused', () => {
    expect(rejected({ expression: 'cron(61 * * * *)' })).toContain('minute: 61');
    expect(rejected({ expression: 'cron(* * * * * * *)' })).toContain('(got 7)');
    expect(rejected({ expression: 'cron(0 0 30 2 *)' })).toContain('does not fire within 5 years');
  });

  it.each([
    'Mars/Phobos',
    'Europe/Berlinn',
    '+02:00',
    'UTC+2',
    '',
    '../etc/passwd',
    'x'.repeat(300),
  ])('rejects the time zone %j naming the field', (timezone) => {
    expect(rejected({ expression: 'cron(0 9 * * *)', timezone })).toMatch(
      /^Invalid schedule: timezone: unknown time zone/,
    );
  });

  it('takes time zones in any case and gives their canonical names; UTC when absent', () => {
    expect(parseTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(parseTimeZone('Etc/GMT+5')).toBe('Etc/GMT+5');
    expect(parseSchedule({ expression: 'cron(0 9 * * *)' })).toMatchObject({ timezone: 'UTC' });
    expect(parseSchedule({ expression: 'cron(0 9 * * *)', timezone: null })).toMatchObject({
      timezone: 'UTC',
    });
    expect(
      parseSchedule({ expression: 'cron(0 9 * * *)', timezone: 'america/new_york' }),
    ).toMatchObject({ kind: 'cron', pattern: '0 9 * * *', timezone: 'America/New_York' });
  });

  it('checks the time zone of a rate too, though a rate does not use it', () => {
    expect(parseSchedule({ expression: 'rate(1 minute)', timezone: 'Asia/Tokyo' }).kind).toBe(
      'rate',
    );
    expect(rejected({ expression: 'rate(1 minute)', timezone: 'Mars/Phobos' })).toContain(
      'timezone',
    );
  });
});

describe('nextRun of a rate', () => {
  const spec = parseSchedule({ expression: 'rate(10 seconds)' });

  it('is one period from now without a previous run', () => {
    expect(nextRun(spec, undefined, at('2026-01-01T00:00:03.250Z'))).toEqual(
      at('2026-01-01T00:00:13.250Z'),
    );
  });

  it('stays on the grid of the previous run, strictly after now', () => {
    const previous = at('2026-01-01T00:00:00.000Z');
    // On time: the next grid point.
    expect(nextRun(spec, previous, at('2026-01-01T00:00:00.040Z'))).toEqual(
      at('2026-01-01T00:00:10.000Z'),
    );
    // Exactly on a grid point: strictly after it.
    expect(nextRun(spec, previous, at('2026-01-01T00:00:10.000Z'))).toEqual(
      at('2026-01-01T00:00:20.000Z'),
    );
    // Late by several periods: the grid point after now, missed ones are skipped.
    expect(nextRun(spec, previous, at('2026-01-01T00:01:05.500Z'))).toEqual(
      at('2026-01-01T00:01:10.000Z'),
    );
    // A previous run in the future (a clock step back): the grid point after it.
    expect(nextRun(spec, previous, at('2025-12-31T23:59:00.000Z'))).toEqual(
      at('2026-01-01T00:00:10.000Z'),
    );
  });

  it('gives the period as the gap after a tick', () => {
    expect(periodAfter(spec, at('2026-01-01T00:00:00Z'))).toBe(10_000);
  });
});

describe('nextRun of a cron', () => {
  it('agrees with a minute-by-minute search in the time zone (Intl), over a DST change', () => {
    const timezone = 'Europe/Berlin';
    const spec = parseSchedule({ expression: 'cron(0 9 * * 1-5)', timezone });
    const weekday = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']);
    let now = at('2026-10-22T12:34:56.789Z'); // the week of the switch to CET (Oct 25)
    for (const next of runs(spec, now, 6)) {
      const expected = bruteForce(
        now,
        60_000,
        timezone,
        (l) => l.hour === 9 && l.minute === 0 && weekday.has(l.weekday),
      );
      expect(next).toEqual(expected);
      now = next;
    }
    // 09:00 CEST is 07:00Z, 09:00 CET is 08:00Z.
    expect(runs(spec, at('2026-10-22T12:00:00Z'), 3)).toEqual([
      at('2026-10-23T07:00:00Z'),
      at('2026-10-26T08:00:00Z'),
      at('2026-10-27T08:00:00Z'),
    ]);
  });

  it('agrees with a second-by-second search for a 6-field cron (seconds first)', () => {
    const timezone = 'Asia/Kolkata'; // +05:30: a half-hour offset
    const spec = parseSchedule({ expression: 'cron(*/20 30 * * * *)', timezone });
    let now = at('2026-03-01T10:29:41.500Z');
    for (const next of runs(spec, now, 5)) {
      expect(next).toEqual(
        bruteForce(now, 1000, timezone, (l) => l.minute === 30 && l.second % 20 === 0),
      );
      now = next;
    }
  });

  it('is strictly after now, also when now is exactly a tick', () => {
    const spec = parseSchedule({ expression: 'cron(*/5 * * * *)' });
    expect(nextRun(spec, undefined, at('2026-01-01T12:05:00.000Z'))).toEqual(
      at('2026-01-01T12:10:00.000Z'),
    );
    const everySecond = parseSchedule({ expression: 'cron(* * * * * *)' });
    expect(nextRun(everySecond, undefined, at('2026-01-01T12:00:00.500Z'))).toEqual(
      at('2026-01-01T12:00:01.000Z'),
    );
  });

  it('ignores the previous run: a cron is on the clock, not on a grid', () => {
    const spec = parseSchedule({ expression: 'cron(0 * * * *)' });
    const now = at('2026-01-01T12:34:00Z');
    expect(nextRun(spec, at('2026-01-01T09:00:00Z'), now)).toEqual(nextRun(spec, undefined, now));
  });

  // DST as croner does it (documented here, since a user will ask): a wall time skipped by the
  // spring switch fires at the first instant after the gap; a wall time that happens twice in
  // autumn fires once, at its first (summer-time) occurrence. Interval patterns follow real time.
  it('fires a time skipped by the spring switch once, right after the gap', () => {
    const spec = parseSchedule({ expression: 'cron(30 2 * * *)', timezone: 'Europe/Berlin' });
    // 2027-03-28 02:00 CET → 03:00 CEST: 02:30 does not exist that day.
    const [before, gapDay, after] = runs(spec, at('2027-03-26T12:00:00Z'), 3);
    expect(before).toEqual(at('2027-03-27T01:30:00Z'));
    expect(gapDay).toEqual(at('2027-03-28T01:00:00Z'));
    expect(local(gapDay as Date, 'Europe/Berlin')).toMatchObject({ day: 28, hour: 3, minute: 0 });
    expect(after).toEqual(at('2027-03-29T00:30:00Z'));
  });

  it('fires a time repeated by the autumn switch once, at its first occurrence', () => {
    const spec = parseSchedule({ expression: 'cron(30 2 * * *)', timezone: 'Europe/Berlin' });
    // 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens at 00:30Z and at 01:30Z.
    expect(runs(spec, at('2026-10-24T12:00:00Z'), 2)).toEqual([
      at('2026-10-25T00:30:00Z'),
      at('2026-10-26T01:30:00Z'),
    ]);
    const half = parseSchedule({ expression: 'cron(*/30 * * * *)', timezone: 'Europe/Berlin' });
    const real = runs(half, at('2026-10-25T00:00:00Z'), 4);
    expect(real.map((d) => d.getTime() - at('2026-10-25T00:00:00Z').getTime())).toEqual([
      1_800_000, 3_600_000, 5_400_000, 7_200_000,
    ]);
  });

  it('gives the gap to the next run after a tick', () => {
    const spec = parseSchedule({ expression: 'cron(0 9 * * 1-5)' });
    // Friday 09:00 → Monday 09:00.
    expect(periodAfter(spec, at('2026-01-02T09:00:00Z'))).toBe(3 * 86_400_000);
  });
});

describe('schedule names', () => {
  it.each(['a', 'A', '0', 'nightly-report', 'v1.2_x', 'x'.repeat(64)])('takes %j', (name) => {
    expect(validScheduleName(name)).toBe(true);
    expect(parseScheduleName(name)).toBe(name);
  });

  it.each(['', '-a', '.a', '_a', 'a b', 'a/b', '..', 'é', 'x'.repeat(65), 42])(
    'rejects %j as InvalidName',
    (name) => {
      expect(validScheduleName(name)).toBe(false);
      expect(() => parseScheduleName(name)).toThrow(
        expect.objectContaining({ code: 'InvalidName' }),
      );
    },
  );
});

describe('schedule events', () => {
  const base = { id: '6a1f0a5e-0000-4000-8000-000000000001', schedule: 'nightly' };

  it('has the shape of API.md, with the tick as time', () => {
    const event = scheduleEvent({ ...base, time: at('2026-01-01T09:00:00Z'), detail: { a: 1 } });
    expect(event).toEqual({
      id: base.id,
      source: 'mini-lambda.schedule',
      schedule: 'nightly',
      time: '2026-01-01T09:00:00.000Z',
      detail: { a: 1 },
    });
    expect(Object.keys(event)).toEqual(['id', 'source', 'schedule', 'time', 'detail']);
    expect(
      scheduleEvent({ ...base, time: at('2026-01-01T09:00:00Z'), detail: null }).detail,
    ).toEqual({});
  });

  it('keeps the stored event text exactly in the JSON form', () => {
    const time = at('2026-01-01T09:00:00Z');
    const detailJson = '{"big":12345678901234567890,"z":1,"a":[1.0]}';
    const text = scheduleEventJson({ ...base, time, detailJson });
    expect(text.endsWith(`"detail":${detailJson}}`)).toBe(true);
    expect(JSON.parse(text)).toEqual(
      scheduleEvent({ ...base, time, detail: JSON.parse(detailJson) }),
    );
    expect(JSON.parse(scheduleEventJson({ ...base, time, detailJson: null }))).toEqual(
      scheduleEvent({ ...base, time, detail: undefined }),
    );
  });
});
