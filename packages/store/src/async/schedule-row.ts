import type { ScheduleRecord } from './schedule-types.ts';

/** A schedules row as selected with `*`. */
export interface ScheduleRow {
  function_name: string;
  name: string;
  expression: string;
  timezone: string | null;
  event: string | null;
  enabled: boolean;
  next_run: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toSchedule(row: ScheduleRow): ScheduleRecord {
  return {
    functionName: row.function_name,
    name: row.name,
    expression: row.expression,
    timezone: row.timezone,
    event: row.event,
    enabled: row.enabled,
    nextRun: row.next_run,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
