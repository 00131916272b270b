import { until } from '@mini-lambda/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKENDS,
  errorCode,
  instanceOn,
  type Json,
  json,
  manage,
  statusOnce,
} from './async-api-kit.ts';
import { deployed, type TestInstance } from './instance.ts';

const ECHO = 'export const handler = async (event: unknown) => event;';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

/** The first whole minute after `after` whose wall clock in `timeZone` reads hh:mm (Intl's answer). */
function nextWallClock(after: Date, timeZone: string, hour: number, minute: number): Date {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const wanted = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 3 * 24 * 60; i++, t += 60_000) {
    if (format.format(new Date(t)) === wanted) return new Date(t);
  }
  throw new Error(`no ${wanted} in ${timeZone} within three days`);
}

describe.each(BACKENDS)('schedules on %s', (backend) => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await instanceOn(backend);
    await deployed(t, 'cron-target', ECHO);
  });
  afterAll(() => t?.close());

  const put = (schedule: string, body: unknown, name = 'cron-target') =>
    manage(t, 'PUT', `/functions/${name}/schedules/${schedule}`, body);

  it('fires a rate(1 second) schedule once per tick, on its grid, with the schedule event', async () => {
    const res = await put('every-second', {
      expression: 'rate(1 second)',
      event: { job: 'sweep' },
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toEqual({
      name: 'every-second',
      function: 'cron-target',
      expression: 'rate(1 second)',
      timezone: null,
      event: { job: 'sweep' },
      enabled: true,
      next_run: expect.stringMatching(ISO),
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    // The first run is one period after the database's now (which created_at also is).
    const nextMs =
      Date.parse(created.next_run as string) - Date.parse(created.created_at as string);
    expect(nextMs).toBeGreaterThan(900);
    expect(nextMs).toBeLessThanOrEqual(1100);

    let runs: Json[] = [];
    await until(
      async () => {
        const one = await json(
          await manage(t, 'GET', '/functions/cron-target/schedules/every-second'),
        );
        runs = one.last_runs as Json[];
        return runs.filter((r) => r.status === 'succeeded').length >= 3;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(
      (await manage(t, 'DELETE', '/functions/cron-target/schedules/every-second')).status,
    ).toBe(204);
    const done = runs.filter((r) => r.status === 'succeeded');
    // Newest first, one second apart on the grid of the first run, each its own invocation.
    const ticks = done.map((r) => Date.parse(r.tick as string));
    for (let i = 1; i < ticks.length; i++) {
      expect((ticks[i - 1] as number) - (ticks[i] as number)).toBe(SECOND);
    }
    const sinceFirst = (ticks.at(-1) as number) - Date.parse(created.next_run as string);
    expect(sinceFirst).toBeGreaterThanOrEqual(0);
    expect(sinceFirst % SECOND).toBe(0);
    expect(new Set(done.map((r) => r.invocation_id)).size).toBe(done.length);
    for (const run of done) {
      expect(run.fired_at).toMatch(ISO);
      expect(Date.parse(run.fired_at as string)).toBeGreaterThanOrEqual(
        Date.parse(run.tick as string),
      );
      const status = await statusOnce(t, 'cron-target', run.invocation_id as string, ['succeeded']);
      expect(status.result).toEqual({
        id: run.invocation_id,
        source: 'mini-lambda.schedule',
        schedule: 'every-second',
        time: run.tick,
        detail: { job: 'sweep' },
      });
    }
  });

  it('answers 200 when replacing, keeping next_run while the timing is the same', async () => {
    const first = await json(await put('daily', { expression: 'rate(1 day)' }));
    const nextMs = Date.parse(first.next_run as string) - Date.parse(first.created_at as string);
    expect(Math.abs(nextMs - DAY)).toBeLessThan(SECOND);
    const again = await put('daily', { expression: 'rate(1 day)', event: [1, 2] });
    expect(again.status).toBe(200);
    const replaced = await json(again);
    expect(replaced).toMatchObject({
      next_run: first.next_run,
      created_at: first.created_at,
      event: [1, 2],
    });
    expect(Date.parse(replaced.updated_at as string)).toBeGreaterThan(
      Date.parse(first.updated_at as string),
    );
    const slower = await json(await put('daily', { expression: 'rate(2 days)' }));
    const slowerMs =
      Date.parse(slower.next_run as string) - Date.parse(slower.updated_at as string);
    expect(Math.abs(slowerMs - 2 * DAY)).toBeLessThan(SECOND);
    expect(slower.event).toBeNull();
  });

  it('computes cron next_run in the time zone, as Intl reads the wall clock', async () => {
    const berlin = await json(
      await put('berlin-nine', { expression: 'cron(0 9 * * *)', timezone: 'europe/berlin' }),
    );
    expect(berlin.timezone).toBe('Europe/Berlin');
    const from = new Date(Date.parse(berlin.updated_at as string) - 2 * SECOND);
    expect(berlin.next_run).toBe(nextWallClock(from, 'Europe/Berlin', 9, 0).toISOString());
    const utc = await json(await put('utc-nine', { expression: 'cron(0 9 * * *)' }));
    expect(utc.next_run).toBe(nextWallClock(from, 'UTC', 9, 0).toISOString());
    const seconds = await json(await put('six-fields', { expression: 'cron(30 */5 * * * *)' }));
    const next = new Date(seconds.next_run as string);
    expect([next.getUTCSeconds(), next.getUTCMinutes() % 5]).toEqual([30, 0]);
    expect(next.getTime() - Date.parse(seconds.updated_at as string)).toBeLessThanOrEqual(
      5 * 60 * SECOND,
    );
  });

  it('does not fire a disabled schedule, and shows it with no next run', async () => {
    const res = await put('paused', { expression: 'rate(1 second)', enabled: false });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ enabled: false, next_run: null });
    await new Promise((r) => setTimeout(r, 2500));
    const one = await json(await manage(t, 'GET', '/functions/cron-target/schedules/paused'));
    expect(one.last_runs).toEqual([]);
    const enabled = await json(await put('paused', { expression: 'rate(1 hour)', enabled: true }));
    expect(enabled.enabled).toBe(true);
    expect(enabled.next_run).toMatch(ISO);
  });

  it('lists, shows and deletes schedules', async () => {
    await deployed(t, 'listed', ECHO);
    for (const name of ['b-job', 'a-job']) {
      expect((await put(name, { expression: 'rate(5 minutes)' }, 'listed')).status).toBe(201);
    }
    const list = await json(await manage(t, 'GET', '/functions/listed/schedules'));
    const schedules = list.schedules as Json[];
    expect(schedules.map((s) => s.name)).toEqual(['a-job', 'b-job']);
    expect(schedules[0]).not.toHaveProperty('last_runs');
    const one = await json(await manage(t, 'GET', '/functions/listed/schedules/a-job'));
    expect(one).toMatchObject({ name: 'a-job', function: 'listed', last_runs: [] });
    expect((await manage(t, 'DELETE', '/functions/listed/schedules/a-job')).status).toBe(204);
    for (const method of ['GET', 'DELETE']) {
      const res = await manage(t, method, '/functions/listed/schedules/a-job');
      expect([method, res.status, await errorCode(res)]).toEqual([method, 404, 'ScheduleNotFound']);
    }
    const unknown = await manage(t, 'GET', '/functions/nope/schedules');
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, 'FunctionNotFound']);
    const unknownOne = await manage(t, 'GET', '/functions/nope/schedules/a-job');
    expect([unknownOne.status, await errorCode(unknownOne)]).toEqual([404, 'FunctionNotFound']);
    const putUnknown = await put('x', { expression: 'rate(1 hour)' }, 'nope');
    expect([putUnknown.status, await errorCode(putUnknown)]).toEqual([404, 'FunctionNotFound']);
  });

  it('refuses bad schedules with 400', async () => {
    const invalid: unknown[] = [
      { expression: 'every tuesday' },
      { expression: 'cron(61 * * * *)' },
      { expression: 'rate(0 seconds)' },
      { expression: 'rate(1.5 minutes)' },
      { expression: 'cron(0 9 * * *)', timezone: 'Mars/Phobos' },
      { expression: 'cron(0 0 0 1 1 * 2030)' },
      { expression: 'cron(* * * *)' },
      {},
      { expression: 5 },
      { expression: 'rate(1 hour)', enabled: 'yes' },
      { expression: 'rate(1 hour)', timezone: 5 },
      { expression: 'rate(1 hour)', extra: true },
      { expression: 'rate(1 hour)', event: 'x'.repeat(256 * 1024) },
      [],
      '"rate(1 hour)"', // a JSON string, not an object
    ];
    for (const body of invalid) {
      const res = await put('bad', body);
      const shown = JSON.stringify(body).slice(0, 60);
      expect([shown, res.status, await errorCode(res)]).toEqual([shown, 400, 'InvalidConfig']);
    }
    const notJson = await put('bad', '{"expression":');
    expect([notJson.status, await errorCode(notJson)]).toEqual([400, 'InvalidJSON']);
    for (const name of ['-starts-badly', 'has%20space', 'x'.repeat(65)]) {
      const res = await put(name, { expression: 'rate(1 hour)' });
      expect([name, res.status, await errorCode(res)]).toEqual([name, 400, 'InvalidName']);
    }
    // None of them was stored.
    const list = await json(await manage(t, 'GET', '/functions/cron-target/schedules'));
    expect((list.schedules as Json[]).map((s) => s.name)).not.toContain('bad');
  });
});
