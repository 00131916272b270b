import type { AsyncState, NewAsyncEvent } from './types.ts';

export interface ScheduleRecord {
  functionName: string;
  name: string;
  expression: string;
  timezone: string | null;
  /** JSON text of the tick's detail, or null. */
  event: string | null;
  enabled: boolean;
  /** Null: it never fires again. */
  nextRun: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleInput {
  expression: string;
  timezone: string | null;
  event: string | null;
  enabled: boolean;
  nextRun: Date | null;
}

/** One fired tick; `status` is its invocation's, absent once retention purged the event. */
export interface ScheduleRun {
  tick: Date;
  invocationId: string;
  firedAt: Date;
  status?: AsyncState;
}

export interface ClaimOptions {
  limit: number;
  /** How late a tick may still fire, per schedule or for all; later ones are missed. */
  graceMs: number | ((s: ScheduleRecord) => number);
  /** The next occurrence strictly after `now` (the database's clock), or null for never. */
  next: (s: ScheduleRecord, now: Date) => Date | null;
  /** The invocation a tick becomes; `config` is the function's stored config (unparsed). */
  event: (s: ScheduleRecord, tick: Date, config: unknown) => NewAsyncEvent;
}

export interface ClaimResult {
  fired: {
    functionName: string;
    schedule: string;
    tick: Date;
    lagMs: number;
    invocationId: string;
  }[];
  /** `error`: the callbacks threw on this schedule (it is looked at again a minute later). */
  missed: { functionName: string; schedule: string; tick: Date; error?: string }[];
}

export interface Schedules {
  /** Creates or replaces; `created` tells which. FunctionNotFound without the function. */
  put(fn: string, name: string, s: ScheduleInput): Promise<ScheduleRecord & { created: boolean }>;
  get(fn: string, name: string): Promise<ScheduleRecord | undefined>;
  /** By name. */
  list(fn: string): Promise<ScheduleRecord[]>;
  remove(fn: string, name: string): Promise<boolean>;
  /** Newest first. */
  lastRuns(fn: string, name: string, n: number): Promise<ScheduleRun[]>;
  /**
   * One transaction: due schedules FOR UPDATE SKIP LOCKED; a tick at most `graceMs` late
   * fires (a schedule_ticks row, ON CONFLICT DO NOTHING, and its event), a later one is
   * missed (not replayed); then next_run = `next(s, now)`. A schedule whose callbacks
   * throw is counted missed and looked at again a minute later; the rest fire.
   */
  claimDue(o: ClaimOptions): Promise<ClaimResult>;
  /** The database's clock. */
  now(): Promise<Date>;
}
