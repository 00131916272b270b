import { functionNotFound } from '@mini-lambda/core';
import type { Sql } from 'postgres';
import { claimDue } from './claim-due.ts';
import { type ScheduleRow, toSchedule } from './schedule-row.ts';
import type { ScheduleRun, Schedules } from './schedule-types.ts';
import type { AsyncState } from './types.ts';

export interface SchedulesOptions {
  /** Announce fired ticks' events on ASYNC_CHANNEL (as the queue's enqueue does). */
  notify: boolean;
}

/** Schedules of functions, and the claiming that turns their ticks into invocations. */
export function createSchedules(sql: Sql, options: SchedulesOptions): Schedules {
  return {
    async put(fn, name, s) {
      const rows = await sql<(ScheduleRow & { created: boolean })[]>`
        INSERT INTO schedules AS s
          (function_name, name, expression, timezone, event, enabled, next_run)
        SELECT f.name, ${name}, ${s.expression}, ${s.timezone}::text, ${s.event}::text,
          ${s.enabled}::boolean, ${s.nextRun}::timestamptz
        FROM functions f WHERE f.name = ${fn}
        FOR KEY SHARE
        ON CONFLICT (function_name, name) DO UPDATE SET
          expression = EXCLUDED.expression, timezone = EXCLUDED.timezone,
          event = EXCLUDED.event, enabled = EXCLUDED.enabled, next_run = EXCLUDED.next_run,
          updated_at = now()
        RETURNING s.*, (s.xmax = 0) AS created`;
      const [row] = rows;
      if (!row) throw functionNotFound(fn);
      const { created, ...record } = row;
      return { ...toSchedule(record), created };
    },

    async get(fn, name) {
      const [row] = await sql<ScheduleRow[]>`
        SELECT * FROM schedules WHERE function_name = ${fn} AND name = ${name}`;
      return row ? toSchedule(row) : undefined;
    },

    async list(fn) {
      const rows = await sql<ScheduleRow[]>`
        SELECT * FROM schedules WHERE function_name = ${fn} ORDER BY name`;
      return rows.map(toSchedule);
    },

    async remove(fn, name) {
      const done = await sql`DELETE FROM schedules WHERE function_name = ${fn} AND name = ${name}`;
      return done.count === 1;
    },

    async lastRuns(fn, name, n): Promise<ScheduleRun[]> {
      const rows = await sql<
        { tick: Date; invocation_id: string; fired_at: Date; state: AsyncState | null }[]
      >`
        SELECT t.tick, t.invocation_id, t.fired_at, e.state
        FROM schedule_ticks t LEFT JOIN async_events e ON e.id = t.invocation_id
        WHERE t.function_name = ${fn} AND t.schedule = ${name}
        ORDER BY t.tick DESC LIMIT ${n}`;
      return rows.map((r) => ({
        tick: r.tick,
        invocationId: r.invocation_id,
        firedAt: r.fired_at,
        ...(r.state ? { status: r.state } : {}),
      }));
    },

    claimDue: (o) => claimDue(sql, options.notify, o),

    async now() {
      const [row] = await sql<{ now: Date }[]>`SELECT now() AS now`;
      if (!row) throw new Error('SELECT now() returned no row');
      return row.now;
    },
  };
}
