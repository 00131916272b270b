import { randomUUID } from 'node:crypto';
import type { FunctionConfigPatch } from '@mini-lambda/core';
import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import type {
  AsyncPolicy,
  AsyncQueue,
  NewAsyncEvent,
  Registry,
  Schedules,
  TakenEvent,
} from '../src/index.ts';

export interface AsyncEnv {
  sql: Sql;
  queue: AsyncQueue;
  schedules: Schedules;
  registry: Registry;
}

export const POLICY: AsyncPolicy = { maxRetries: 2, retryDelayMs: 1000, maxEventAgeS: 3600 };
const SHA = '0'.repeat(64);
export const ME = 'instance-a';
export const LEASE = 60_000;

let counter = 0;
/** A new function with a name no other test uses (functions rows anchor every FK). */
export async function newFunction(
  env: AsyncEnv,
  prefix: string,
  config?: FunctionConfigPatch,
): Promise<string> {
  const name = `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`;
  await env.registry.deploy(name, {
    sha256: SHA,
    size: 1,
    handler: 'event',
    ...(config ? { config } : {}),
  });
  return name;
}

export function newEvent(functionName: string, payload = '{"n":1}'): NewAsyncEvent {
  return { id: randomUUID(), functionName, payload, policy: POLICY };
}

async function takeOne(env: AsyncEnv, fn: string, instance = ME): Promise<TakenEvent> {
  const [t] = await env.queue.take(fn, 1, LEASE, instance);
  if (!t) throw new Error(`nothing to take for ${fn}`);
  return t;
}

/** Seconds from the database's now() to a column of one event (negative: in the past). */
async function secondsAhead(env: AsyncEnv, id: string, column: 'run_after' | 'lease_until') {
  const [row] = await env.sql<{ s: number }[]>`
    SELECT extract(epoch FROM ${env.sql(column)} - now())::double precision AS s
    FROM async_events WHERE id = ${id}`;
  return row?.s;
}

/** What the queue and schedules owe on any PostgreSQL: a real server or embedded PGlite. */
export function asyncContract(name: string, envOf: () => AsyncEnv): void {
  describe(`async queue on ${name}`, () => {
    it('delivers an event once: enqueue, take, succeed', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-basic');
      const e = { ...newEvent(fn, '{ "kept":  "as is" }'), depth: 3 };
      await env.queue.enqueue(e);
      expect(await env.queue.status(fn, e.id)).toMatchObject({ status: 'queued', attempts: 0 });
      const taken = await env.queue.take(fn, 10, LEASE, ME);
      expect(taken).toEqual([
        {
          id: e.id,
          lease: expect.any(String),
          lost: false,
          functionName: fn,
          version: null,
          payload: '{ "kept":  "as is" }',
          attempts: 1,
          policy: POLICY,
          depth: 3,
          acceptedAt: expect.any(Date),
          createdAt: expect.any(Date),
          aged: false,
        },
      ]);
      expect(await env.queue.take(fn, 10, LEASE, 'instance-b')).toEqual([]);
      expect(await env.queue.status(fn, e.id)).toMatchObject({
        status: 'running',
        startedAt: expect.any(Date),
      });
      const t = taken[0] as TakenEvent;
      expect(await env.queue.complete(t, ME, { kind: 'succeeded', result: '{"ok":true}' })).toBe(
        'done',
      );
      const status = await env.queue.status(fn, e.id);
      expect(status).toMatchObject({
        id: e.id,
        functionName: fn,
        status: 'succeeded',
        attempts: 1,
        result: '{"ok":true}',
        finishedAt: expect.any(Date),
      });
      expect(status?.error).toBeUndefined();
      expect(await env.queue.take(fn, 10, LEASE, ME)).toEqual([]);
      expect(await env.queue.status('other-fn', e.id)).toBeUndefined();
      expect(await env.queue.status(fn, 'not-a-uuid')).toBeUndefined();
    });

    it('keeps a pinned version and takes in due order, no more than the limit', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-order');
      const events = [newEvent(fn, '1'), newEvent(fn, '2'), newEvent(fn, '3')];
      for (const [i, e] of events.entries()) {
        await env.queue.enqueue({ ...e, version: 1 });
        // Distinct due times, whatever the clock's resolution.
        await env.sql`UPDATE async_events SET run_after = now() - ${10 - i} * interval '1 second'
                      WHERE id = ${e.id}`;
      }
      const first = await env.queue.take(fn, 2, LEASE, ME);
      expect(first.map((t) => t.payload)).toEqual(['1', '2']);
      expect(first[0]?.version).toBe(1);
      expect((await env.queue.take(fn, 2, LEASE, ME)).map((t) => t.payload)).toEqual(['3']);
    });

    it('refuses an event for a function that does not exist', async () => {
      await expect(envOf().queue.enqueue(newEvent('no-such-fn'))).rejects.toMatchObject({
        code: 'FunctionNotFound',
      });
    });

    it('retries after the delay, by the database clock, and keeps the error', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-retry');
      const e = newEvent(fn);
      await env.queue.enqueue(e);
      const t1 = await takeOne(env, fn);
      const error = { code: 'Handled', message: 'boom', name: 'TypeError' };
      expect(await env.queue.complete(t1, ME, { kind: 'retry', delayMs: 60_000, error })).toBe(
        'done',
      );
      // Due 60 s after the complete: more than 50 s ahead even on a slow machine.
      expect(await secondsAhead(env, e.id, 'run_after')).toBeGreaterThan(50);
      expect(await secondsAhead(env, e.id, 'run_after')).toBeLessThanOrEqual(60);
      expect(await env.queue.take(fn, 10, LEASE, ME)).toEqual([]);
      expect(await env.queue.status(fn, e.id)).toMatchObject({
        status: 'queued',
        attempts: 1,
        error,
      });
      expect(await env.queue.readyFunctions()).not.toContain(fn);
      // Bring it due (as 60 s passing would); the second delivery is attempt 2.
      await env.sql`UPDATE async_events SET run_after = now() WHERE id = ${e.id}`;
      const t2 = await takeOne(env, fn);
      expect(t2.attempts).toBe(2);
      expect(
        await env.queue.complete(t2, ME, {
          kind: 'retry',
          delayMs: 100,
          error: { code: 'X', message: 'y' },
        }),
      ).toBe('done');
      let t3: TakenEvent | undefined;
      for (let i = 0; i < 400 && !t3; i++) {
        [t3] = await env.queue.take(fn, 1, LEASE, ME);
        if (!t3) await new Promise((r) => setTimeout(r, 25));
      }
      expect(t3?.attempts).toBe(3);
      expect(await env.queue.status(fn, e.id)).toMatchObject({
        error: { code: 'X', message: 'y' },
      });
    });

    it('releases an event without counting the attempt', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-release');
      const e = newEvent(fn);
      await env.queue.enqueue(e);
      const t1 = await takeOne(env, fn);
      expect(await env.queue.complete(t1, ME, { kind: 'released', delayMs: 0 })).toBe('done');
      expect(await env.queue.status(fn, e.id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect((await takeOne(env, fn)).attempts).toBe(1);
    });

    it('writes nothing for a delivery that no longer owns the event', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-guard');
      await env.queue.enqueue(newEvent(fn));
      const t = await takeOne(env, fn);
      const ok = { kind: 'succeeded', result: '1' } as const;
      expect(await env.queue.complete(t, 'instance-b', ok)).toBe('lease_lost');
      expect(await env.queue.complete({ ...t, lease: randomUUID() }, ME, ok)).toBe('lease_lost');
      expect(await env.queue.status(fn, t.id)).toMatchObject({ status: 'running' });
      const err = { code: 'E', message: 'm' };
      expect(await env.queue.complete(t, ME, { kind: 'dead', error: err })).toBe('done');
      for (const c of [
        ok,
        { kind: 'retry', delayMs: 1, error: err },
        { kind: 'released', delayMs: 1 },
        { kind: 'failed', error: err, destination: newEvent(fn) },
        { kind: 'dead', error: err },
      ] as const) {
        expect(await env.queue.complete(t, ME, c)).toBe('lease_lost');
      }
      expect(await env.queue.status(fn, t.id)).toMatchObject({ status: 'dead' });
      // A failed complete wrote no destination event either.
      const [count] = await env.sql<{ n: number }[]>`
        SELECT count(*)::integer AS n FROM async_events WHERE function_name = ${fn}`;
      expect(count?.n).toBe(1);
    });

    it('keeps a result up to 1 MB, counted in bytes', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-result');
      const justFits = `"${'é'.repeat(524_287)}"`; // 2 + 2 × 524287 = 1 MiB in UTF-8
      const tooBig = `"${'é'.repeat(524_288)}"`;
      expect(Buffer.byteLength(justFits)).toBe(1024 * 1024);
      const ids: string[] = [];
      for (const result of [justFits, tooBig, null]) {
        const e = newEvent(fn);
        ids.push(e.id);
        await env.queue.enqueue(e);
        const t = await takeOne(env, fn);
        expect(await env.queue.complete(t, ME, { kind: 'succeeded', result })).toBe('done');
      }
      const [a, b, c] = await Promise.all(ids.map((id) => env.queue.status(fn, id)));
      expect(a?.result).toBe(justFits);
      expect(b).toMatchObject({ status: 'succeeded' });
      expect(b?.result).toBeUndefined();
      expect(c?.result).toBeUndefined();
    });

    it('sends a failure to its destination, or makes it a dead letter when that is gone', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-fail');
      const dest = await newFunction(env, 'q-fail-dest');
      const error = { code: 'Unhandled', message: 'no' };
      const e1 = newEvent(fn);
      await env.queue.enqueue(e1);
      const record = { ...newEvent(dest, '{"record":1}'), depth: 1 };
      const t1 = await takeOne(env, fn);
      expect(await env.queue.complete(t1, ME, { kind: 'failed', error, destination: record })).toBe(
        'done',
      );
      expect(await env.queue.status(fn, e1.id)).toMatchObject({ status: 'failed', error });
      const delivered = await takeOne(env, dest);
      expect(delivered).toMatchObject({ id: record.id, payload: '{"record":1}', depth: 1 });

      await env.registry.remove(dest);
      const e2 = newEvent(fn, '{"second":true}');
      await env.queue.enqueue(e2);
      const t2 = await takeOne(env, fn);
      const lost = newEvent(dest);
      expect(await env.queue.complete(t2, ME, { kind: 'failed', error, destination: lost })).toBe(
        'destination_missing',
      );
      expect(await env.queue.status(fn, e2.id)).toMatchObject({ status: 'dead', error });
      expect(await env.queue.deadLetters.list(fn, 10)).toEqual([
        {
          invocationId: e2.id,
          payload: '{"second":true}',
          error,
          attempts: 1,
          failedAt: expect.any(Date),
        },
      ]);
      expect(await env.queue.status(dest, lost.id)).toBeUndefined();
    });

    it('sends a success to its destination; a missing one leaves a plain success', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-ok');
      const dest = await newFunction(env, 'q-ok-dest');
      await env.queue.enqueue(newEvent(fn));
      const record = newEvent(dest, '{"condition":"Success"}');
      const t1 = await takeOne(env, fn);
      expect(
        await env.queue.complete(t1, ME, { kind: 'succeeded', result: '2', destination: record }),
      ).toBe('done');
      expect(await env.queue.status(dest, record.id)).toMatchObject({ status: 'queued' });

      await env.registry.remove(dest);
      await env.queue.enqueue(newEvent(fn));
      const t2 = await takeOne(env, fn);
      expect(
        await env.queue.complete(t2, ME, {
          kind: 'succeeded',
          result: '3',
          destination: newEvent(dest),
        }),
      ).toBe('destination_missing');
      expect(await env.queue.status(fn, t2.id)).toMatchObject({ status: 'succeeded', result: '3' });
    });

    it('queues a lost delivery again at once; only the third loss counts as an attempt', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-lease');
      const e = newEvent(fn);
      await env.queue.enqueue(e);
      const reclaimed = async (instance = ME) =>
        (await env.queue.reclaim(100, LEASE, instance)).filter((r) => r.id === e.id);
      const expire = () =>
        env.sql`UPDATE async_events SET lease_until = now() - interval '1 ms' WHERE id = ${e.id}`;

      // First loss, with a real 1 ms lease: back in the queue, due now, attempt not counted.
      const [t1] = await env.queue.take(fn, 1, 1, 'vanished-1');
      expect(t1?.attempts).toBe(1);
      for (let i = 0; i < 400; i++) {
        expect(await reclaimed()).toEqual([]);
        if ((await env.queue.status(fn, e.id))?.status === 'queued') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await env.queue.status(fn, e.id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect(
        await env.queue.complete(t1 as TakenEvent, 'vanished-1', {
          kind: 'succeeded',
          result: '1',
        }),
      ).toBe('lease_lost');

      // Second loss: the same.
      expect((await takeOne(env, fn, 'vanished-2')).attempts).toBe(1);
      await expire();
      expect(await reclaimed()).toEqual([]);
      expect(await env.queue.status(fn, e.id)).toMatchObject({ status: 'queued', attempts: 0 });

      // Third loss: leased to the reclaimer, attempts as they were, to finish as a failure.
      const t3 = await takeOne(env, fn, 'vanished-3');
      await expire();
      const [back] = await reclaimed();
      expect(back).toMatchObject({ id: e.id, attempts: 1, payload: e.payload });
      expect(await secondsAhead(env, e.id, 'lease_until')).toBeGreaterThan(50);
      expect(await reclaimed('instance-c')).toEqual([]);
      expect(await env.queue.complete(t3, 'vanished-3', { kind: 'succeeded', result: '1' })).toBe(
        'lease_lost',
      );
      const error = { code: 'LeaseExpired', message: 'instance vanished' };
      expect(
        await env.queue.complete(back as TakenEvent, ME, { kind: 'retry', delayMs: 0, error }),
      ).toBe('done');
      expect((await takeOne(env, fn)).attempts).toBe(2);
    });

    it('flags an event older than its max age', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-aged');
      const young = { ...newEvent(fn, '"young"'), policy: { ...POLICY, maxEventAgeS: 60 } };
      const old = { ...newEvent(fn, '"old"'), policy: { ...POLICY, maxEventAgeS: 60 } };
      await env.queue.enqueue(young);
      await env.queue.enqueue(old);
      await env.sql`UPDATE async_events SET accepted_at = now() - interval '61 seconds',
                    run_after = now() - interval '1 second' WHERE id = ${old.id}`;
      await env.sql`UPDATE async_events SET accepted_at = now() - interval '50 seconds'
                    WHERE id = ${young.id}`;
      const taken = await env.queue.take(fn, 10, LEASE, ME);
      expect(taken.map((t) => [t.payload, t.aged])).toEqual([
        ['"old"', true],
        ['"young"', false],
      ]);
    });

    it('lists which functions are ready, oldest first, and how deep each queue is', async () => {
      const env = envOf();
      const a = await newFunction(env, 'q-ready-a');
      const b = await newFunction(env, 'q-ready-b');
      for (const fn of [a, b, b]) await env.queue.enqueue(newEvent(fn));
      await env.sql`UPDATE async_events SET run_after = now() - interval '1 hour',
                    accepted_at = now() - interval '2 hours' WHERE function_name = ${b}`;
      const ready = await env.queue.readyFunctions();
      expect(ready.indexOf(b)).toBeGreaterThanOrEqual(0);
      expect(ready.indexOf(b)).toBeLessThan(ready.indexOf(a));
      const depth = await env.queue.depth();
      expect(depth.find((d) => d.functionName === a)).toMatchObject({ queued: 1 });
      const deepB = depth.find((d) => d.functionName === b);
      expect(deepB?.queued).toBe(2);
      expect(deepB?.oldestAgeS).toBeGreaterThanOrEqual(7200);
      expect(await env.queue.msUntilNextReady()).toBe(0);
      // Only future events: the soonest is ~30 s away.
      await env.sql`UPDATE async_events SET run_after = now() + interval '30 seconds'
                    WHERE state = 'queued'`;
      await env.sql`UPDATE async_events SET run_after = now() + interval '90 seconds'
                    WHERE function_name = ${a}`;
      const ms = await env.queue.msUntilNextReady();
      expect(ms).toBeGreaterThan(20_000);
      expect(ms).toBeLessThanOrEqual(30_000);
      await env.sql`DELETE FROM async_events WHERE state = 'queued'`;
      expect(await env.queue.msUntilNextReady()).toBeUndefined();
      expect(await env.queue.readyFunctions()).toEqual([]);
      expect(await env.queue.depth()).toEqual([]);
    });

    it('lists, removes and redrives dead letters, even after the event row was purged', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-dlq');
      const ids: string[] = [];
      for (const n of [1, 2, 3, 4]) {
        const e = newEvent(fn, `{"n":${n}}`);
        ids.push(e.id);
        await env.queue.enqueue({ ...e, version: 1, depth: n });
        const t = await takeOne(env, fn);
        const error = { code: 'E', message: `m${n}` };
        expect(await env.queue.complete(t, ME, { kind: 'dead', error })).toBe('done');
        // Distinct failure times, newest last.
        await env.sql`UPDATE dead_letters SET failed_at = now() - ${10 - n} * interval '1 second'
                      WHERE invocation_id = ${e.id}`;
      }
      const [id1, id2, id3, id4] = ids as [string, string, string, string];
      const letters = await env.queue.deadLetters.list(fn, 10);
      expect(letters.map((l) => l.invocationId)).toEqual([id4, id3, id2, id1]);
      expect(letters[0]).toMatchObject({
        payload: '{"n":4}',
        error: { message: 'm4' },
        attempts: 1,
      });
      expect((await env.queue.deadLetters.list(fn, 2)).length).toBe(2);
      expect(await env.queue.deadLetters.list('other-fn', 10)).toEqual([]);

      expect(await env.queue.deadLetters.remove(fn, id1)).toBe(true);
      expect(await env.queue.deadLetters.remove(fn, id1)).toBe(false);
      expect(await env.queue.deadLetters.remove(fn, 'nope')).toBe(false);
      expect(await env.queue.status(fn, id1)).toMatchObject({ status: 'dead' });

      // id3's row is gone (retention); the letter alone brings it back.
      await env.sql`DELETE FROM async_events WHERE id = ${id3}`;
      const policy = { maxRetries: 0, retryDelayMs: 100, maxEventAgeS: 10 };
      const redriven = await env.queue.deadLetters.redrive(
        fn,
        [id2, id3, id1, randomUUID(), 'garbage'],
        policy,
      );
      expect(redriven).toEqual({ ids: [id2, id3].sort(), more: false });
      expect(await env.queue.deadLetters.list(fn, 10)).toMatchObject([{ invocationId: id4 }]);
      const again = await env.queue.take(fn, 10, LEASE, ME);
      expect(
        again.map((t) => [t.id, t.payload, t.attempts, t.version, t.depth, t.policy]).sort(),
      ).toEqual(
        [
          [id2, '{"n":2}', 1, null, 2, policy],
          [id3, '{"n":3}', 1, null, 3, policy],
        ].sort(),
      );
      expect(again.every((t) => !t.aged)).toBe(true);
      for (const t of again) {
        expect(await env.queue.status(fn, t.id)).toMatchObject({ status: 'running', attempts: 1 });
      }
      // Dead again: the letter comes back, with the new attempt count.
      const t2 = again.find((t) => t.id === id2) as TakenEvent;
      await env.queue.complete(t2, ME, { kind: 'dead', error: { code: 'E', message: 'again' } });
      expect(await env.queue.deadLetters.redrive(fn, [], policy)).toEqual({ ids: [], more: false });
      expect(await env.queue.deadLetters.redrive(fn, undefined, policy)).toEqual({
        ids: [id2, id4].sort(),
        more: false,
      });
      expect(await env.queue.deadLetters.list(fn, 10)).toEqual([]);
    });

    it('deletes a function with its events, dead letters, schedules and ticks', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-cascade');
      await env.queue.enqueue(newEvent(fn));
      await env.queue.enqueue(newEvent(fn));
      const t = await takeOne(env, fn);
      await env.queue.complete(t, ME, { kind: 'dead', error: { code: 'E', message: 'm' } });
      await env.schedules.put(fn, 'every-minute', {
        expression: 'rate(1 minute)',
        timezone: null,
        event: null,
        enabled: true,
        nextRun: new Date(Date.now() - 1000),
      });
      await env.sql`INSERT INTO schedule_ticks (function_name, schedule, tick, invocation_id)
                    VALUES (${fn}, 'every-minute', now(), ${randomUUID()})`;
      const counts = () => env.sql<{ e: number; d: number; s: number; t: number }[]>`
        SELECT (SELECT count(*) FROM async_events WHERE function_name = ${fn})::integer AS e,
               (SELECT count(*) FROM dead_letters WHERE function_name = ${fn})::integer AS d,
               (SELECT count(*) FROM schedules WHERE function_name = ${fn})::integer AS s,
               (SELECT count(*) FROM schedule_ticks WHERE function_name = ${fn})::integer AS t`;
      expect(await counts()).toEqual([{ e: 2, d: 1, s: 1, t: 1 }]);
      expect(await env.registry.remove(fn)).toBe(true);
      expect(await counts()).toEqual([{ e: 0, d: 0, s: 0, t: 0 }]);
      // The delivery in flight finds nothing to finish.
      expect(await env.queue.complete(t, ME, { kind: 'succeeded', result: null })).toBe(
        'lease_lost',
      );
    });

    it('purges what retention no longer keeps, and keeps the rest', async () => {
      const env = envOf();
      const fn = await newFunction(env, 'q-purge');
      const finished = async (kind: 'succeeded' | 'dead') => {
        const e = newEvent(fn);
        await env.queue.enqueue(e);
        const t = await takeOne(env, fn);
        const c =
          kind === 'dead'
            ? ({ kind, error: { code: 'E', message: 'm' } } as const)
            : ({ kind, result: '1' } as const);
        expect(await env.queue.complete(t, ME, c)).toBe('done');
        return e.id;
      };
      const oldDone = await finished('succeeded');
      const newDone = await finished('succeeded');
      const oldDead = await finished('dead');
      const queuedEvent = newEvent(fn);
      await env.queue.enqueue(queuedEvent);
      const queued = queuedEvent.id;
      await env.sql`UPDATE async_events SET finished_at = now() - interval '2 hours'
                    WHERE id IN (${oldDone}, ${oldDead})`;
      await env.sql`UPDATE async_events SET accepted_at = now() - interval '3 hours',
                    created_at = now() - interval '3 hours' WHERE id = ${queued}`;
      await env.schedules.put(fn, 's', {
        expression: 'rate(1 second)',
        timezone: null,
        event: null,
        enabled: false,
        nextRun: null,
      });
      // 15 old ticks and 2 recent ones: the recent ones, and the 8 newest old ones, stay.
      await env.sql`INSERT INTO schedule_ticks (function_name, schedule, tick, invocation_id, fired_at)
        SELECT ${fn}, 's', now() - (3 * 3600 - i) * interval '1 second', gen_random_uuid(),
               now() - (3 * 3600 - i) * interval '1 second'
        FROM generate_series(1, 15) i`;
      await env.sql`INSERT INTO schedule_ticks (function_name, schedule, tick, invocation_id)
        SELECT ${fn}, 's', now() - i * interval '1 second', gen_random_uuid()
        FROM generate_series(1, 2) i`;
      // The dead letter is younger than its retention: it stays while the event row goes.
      let purged = 0;
      for (let more = true; more; ) {
        const r = await env.queue.purge(3600, 86_400, 2);
        purged += r.events + r.deadLetters + r.ticks;
        more = r.more;
      }
      expect(purged).toBeGreaterThanOrEqual(2 + 7);
      const left = await env.sql<{ id: string }[]>`
        SELECT id FROM async_events WHERE function_name = ${fn} ORDER BY id`;
      expect(left.map((r) => r.id)).toEqual([newDone, queued].sort());
      const ticks = await env.schedules.lastRuns(fn, 's', 100);
      expect(ticks.length).toBe(10);
      expect(await env.queue.deadLetters.list(fn, 10)).toMatchObject([{ invocationId: oldDead }]);
      await env.sql`UPDATE dead_letters SET failed_at = now() - interval '2 days'
                    WHERE invocation_id = ${oldDead}`;
      expect(await env.queue.purge(3600, 86_400, 100)).toEqual({
        events: 0,
        deadLetters: 1,
        ticks: 0,
        more: false,
      });
      expect(await env.queue.deadLetters.list(fn, 10)).toEqual([]);
    });
  });
}
