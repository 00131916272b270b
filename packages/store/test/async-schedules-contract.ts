import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AsyncEnv, LEASE, ME, newEvent, newFunction } from './async-contract.ts';

/** What schedules owe on any PostgreSQL: a real server or embedded PGlite. */
export function schedulesContract(name: string, envOf: () => AsyncEnv): void {
  describe(`schedules on ${name}`, () => {
    const spec = (nextRun: Date | null, enabled = true) => ({
      expression: 'rate(1 minute)',
      timezone: 'Europe/Berlin',
      event: '{"k":1}',
      enabled,
      nextRun,
    });

    it('creates, replaces, lists and removes schedules', async () => {
      const env = envOf();
      const fn = await newFunction(env, 's-crud');
      const at = new Date('2030-01-01T00:00:00.123Z');
      const created = await env.schedules.put(fn, 'b-nightly', spec(at));
      expect(created).toMatchObject({
        functionName: fn,
        name: 'b-nightly',
        expression: 'rate(1 minute)',
        timezone: 'Europe/Berlin',
        event: '{"k":1}',
        enabled: true,
        nextRun: at,
        created: true,
      });
      const replaced = await env.schedules.put(fn, 'b-nightly', {
        ...spec(null, false),
        timezone: null,
        event: null,
      });
      expect(replaced).toMatchObject({
        created: false,
        enabled: false,
        nextRun: null,
        timezone: null,
        event: null,
      });
      expect(replaced.createdAt).toEqual(created.createdAt);
      await env.schedules.put(fn, 'a-hourly', spec(at));
      expect((await env.schedules.list(fn)).map((s) => s.name)).toEqual(['a-hourly', 'b-nightly']);
      const got = await env.schedules.get(fn, 'b-nightly');
      const { created: _, ...record } = replaced;
      expect(got).toEqual(record);
      expect(await env.schedules.get(fn, 'nope')).toBeUndefined();
      expect(await env.schedules.remove(fn, 'b-nightly')).toBe(true);
      expect(await env.schedules.remove(fn, 'b-nightly')).toBe(false);
      await expect(env.schedules.put('no-such-fn', 'x', spec(at))).rejects.toMatchObject({
        code: 'FunctionNotFound',
      });
    });

    it('fires a due tick once, with the function config, and moves next_run on', async () => {
      const env = envOf();
      const fn = await newFunction(env, 's-fire', { timeout_ms: 1234 });
      const now = await env.schedules.now();
      const tick = new Date(now.getTime() - 500);
      await env.schedules.put(fn, 'every', spec(tick));
      await env.schedules.put(fn, 'off', spec(tick, false));
      const nextRun = new Date(now.getTime() + 3_600_000);
      const seen: unknown[] = [];
      const claim = () =>
        env.schedules.claimDue({
          limit: 1000,
          graceMs: 60_000,
          next: (s, dbNow) => {
            expect(dbNow.getTime()).toBeGreaterThanOrEqual(now.getTime());
            return s.functionName === fn ? nextRun : null;
          },
          event: (s, t, config) => {
            seen.push({ name: s.name, tick: t, config });
            return {
              ...newEvent(s.functionName, JSON.stringify({ schedule: s.name, detail: s.event })),
            };
          },
        });
      const result = await claim();
      const mine = result.fired.filter((f) => f.functionName === fn);
      expect(mine).toEqual([
        {
          functionName: fn,
          schedule: 'every',
          tick,
          lagMs: expect.any(Number),
          invocationId: expect.any(String),
        },
      ]);
      expect(mine[0]?.lagMs).toBeGreaterThanOrEqual(500);
      expect(seen).toContainEqual({
        name: 'every',
        tick,
        config: expect.objectContaining({ timeout_ms: 1234 }),
      });
      expect((await env.schedules.get(fn, 'every'))?.nextRun).toEqual(nextRun);
      expect((await env.schedules.get(fn, 'off'))?.nextRun).toEqual(tick);
      const id = mine[0]?.invocationId as string;
      const [t] = await env.queue.take(fn, 10, LEASE, ME);
      expect(t).toMatchObject({ id, payload: '{"schedule":"every","detail":"{\\"k\\":1}"}' });
      expect(await env.schedules.lastRuns(fn, 'every', 5)).toEqual([
        { tick, invocationId: id, firedAt: expect.any(Date), status: 'running' },
      ]);
      expect((await claim()).fired.filter((f) => f.functionName === fn)).toEqual([]);
    });

    it('misses a tick later than the grace, and never fires with next_run NULL', async () => {
      const env = envOf();
      const fn = await newFunction(env, 's-miss');
      const now = await env.schedules.now();
      await env.schedules.put(fn, 'late', spec(new Date(now.getTime() - 120_000)));
      await env.schedules.put(fn, 'fine', spec(new Date(now.getTime() - 90_000)));
      const result = await env.schedules.claimDue({
        limit: 1000,
        graceMs: (s) => (s.name === 'fine' ? 100_000 : 60_000),
        next: () => null,
        event: (s) => newEvent(s.functionName),
      });
      expect(result.missed.filter((m) => m.functionName === fn)).toEqual([
        { functionName: fn, schedule: 'late', tick: new Date(now.getTime() - 120_000) },
      ]);
      expect(result.fired.filter((m) => m.functionName === fn).map((f) => f.schedule)).toEqual([
        'fine',
      ]);
      expect(await env.schedules.lastRuns(fn, 'late', 5)).toEqual([]);
      for (const name of ['late', 'fine']) {
        expect((await env.schedules.get(fn, name))?.nextRun).toBeNull();
      }
      const again = await env.schedules.claimDue({
        limit: 1000,
        graceMs: 1e9,
        next: () => null,
        event: (s) => newEvent(s.functionName),
      });
      expect([...again.fired, ...again.missed].filter((f) => f.functionName === fn)).toEqual([]);
      const [n] = await env.sql<{ n: number }[]>`
        SELECT count(*)::integer AS n FROM async_events WHERE function_name = ${fn}`;
      expect(n?.n).toBe(1);
    });

    it('fires the rest of a batch when the callbacks throw on one schedule', async () => {
      const env = envOf();
      const fn = await newFunction(env, 's-broken');
      const now = await env.schedules.now();
      const tick = new Date(now.getTime() - 100);
      await env.schedules.put(fn, 'broken', spec(tick));
      await env.schedules.put(fn, 'fine', spec(tick));
      const result = await env.schedules.claimDue({
        limit: 1000,
        graceMs: 60_000,
        next: (s) => {
          if (s.name === 'broken') throw new RangeError('unknown time zone');
          return new Date(now.getTime() + 60_000);
        },
        event: (s) => newEvent(s.functionName),
      });
      expect(result.fired.filter((f) => f.functionName === fn).map((f) => f.schedule)).toEqual([
        'fine',
      ]);
      expect(result.missed.filter((m) => m.functionName === fn)).toEqual([
        { functionName: fn, schedule: 'broken', tick, error: 'unknown time zone' },
      ]);
      // Looked at again later, not at once: it does not stay first in every batch.
      const later = (await env.schedules.get(fn, 'broken'))?.nextRun?.getTime() ?? 0;
      expect(later).toBeGreaterThan(now.getTime() + 30_000);
    });

    it('never fires a tick whose row already exists, and sends no event for it', async () => {
      const env = envOf();
      const fn = await newFunction(env, 's-dup');
      const now = await env.schedules.now();
      const tick = new Date(now.getTime() - 100);
      await env.schedules.put(fn, 'dup', spec(tick));
      const earlier = randomUUID();
      await env.sql`INSERT INTO schedule_ticks (function_name, schedule, tick, invocation_id)
                    VALUES (${fn}, 'dup', ${tick}, ${earlier})`;
      const result = await env.schedules.claimDue({
        limit: 1000,
        graceMs: 60_000,
        next: () => new Date(now.getTime() + 60_000),
        event: (s) => newEvent(s.functionName),
      });
      expect(result.fired.filter((f) => f.functionName === fn)).toEqual([]);
      expect(await env.queue.take(fn, 10, LEASE, ME)).toEqual([]);
      expect(await env.schedules.lastRuns(fn, 'dup', 5)).toEqual([
        { tick, invocationId: earlier, firedAt: expect.any(Date) },
      ]);
      expect((await env.schedules.get(fn, 'dup'))?.nextRun).toEqual(
        new Date(now.getTime() + 60_000),
      );
    });
  });
}
