import { randomUUID } from 'node:crypto';
import {
  asyncConfigSchema,
  asyncPolicy,
  nextRun,
  parseSchedule,
  periodAfter,
  type ScheduleSpec,
  scheduleEventJson,
} from '@mini-lambda/core';
import type { NewAsyncEvent, ScheduleRecord, Schedules } from '@mini-lambda/store';
import type { Logger } from 'pino';
import type { AsyncObserver } from './async-metrics.ts';

/** A tick fires when at most this late, but at least 1 s and at most 60 s: its period between. */
export const GRACE_MS = { min: 1000, max: 60_000 } as const;
/** Due schedules claimed per transaction; more are claimed in the next pass at once. */
const CLAIM_LIMIT = 100;
/** A warning that schedules cannot be claimed is logged at most this often. */
export const WARN_EVERY_MS = 10_000;
/** Parsed expressions kept (croner objects): schedules are few, but keep it bounded. */
const SPEC_CACHE = 1000;

export interface SchedulerDeps {
  schedules: Pick<Schedules, 'claimDue'>;
  metrics: Pick<AsyncObserver, 'scheduleTick' | 'scheduleLag'>;
  log: Logger;
  /** Something was queued: wake the local delivery loop. */
  wake: (functionName: string) => void;
}

/**
 * Turns due schedule ticks into asynchronous invocations, every `everyMs` on every
 * instance; the store's row locks and tick keys make each tick fire once across them.
 */
export function createScheduler(deps: SchedulerDeps, options: { everyMs?: number } = {}) {
  const specs = new Map<string, ScheduleSpec>();
  /**
   * The parsed expression. It was checked when stored; if it no longer parses (a time zone
   * the system has since dropped, say), this throws, and the store counts that schedule's
   * tick missed and looks at it again a minute later, while the rest of the batch fires.
   */
  const specOf = (s: ScheduleRecord): ScheduleSpec => {
    const key = `${s.timezone ?? ''}\n${s.expression}`;
    let spec = specs.get(key);
    if (spec === undefined) {
      spec = parseSchedule({ expression: s.expression, timezone: s.timezone });
      if (specs.size >= SPEC_CACHE) specs.clear();
      specs.set(key, spec);
    }
    return spec;
  };

  const claim = () =>
    deps.schedules.claimDue({
      limit: CLAIM_LIMIT,
      graceMs: (s) => graceMs(specOf(s), s.nextRun),
      next: (s, now) => nextRun(specOf(s), s.nextRun ?? undefined, now) ?? null,
      event: (s, tick, config) => tickEvent(s, tick, config),
    });

  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let failures = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const tick = async () => {
    try {
      for (;;) {
        const { fired, missed } = await claim();
        for (const f of fired) {
          deps.metrics.scheduleTick(f.functionName, 'fired');
          deps.metrics.scheduleLag(f.lagMs / 1000);
          deps.wake(f.functionName);
        }
        for (const m of missed) {
          deps.metrics.scheduleTick(m.functionName, 'missed');
          if (m.error !== undefined) {
            deps.log.warn(
              { function: m.functionName, schedule: m.schedule, tick: m.tick, error: m.error },
              'schedule could not be read: tick missed, looked at again in a minute',
            );
          } else {
            deps.log.info(
              { function: m.functionName, schedule: m.schedule, tick: m.tick },
              'schedule tick missed',
            );
          }
        }
        if (failures > 0) deps.log.info({ failures }, 'schedules are claimed again');
        failures = 0;
        if (fired.length + missed.length < CLAIM_LIMIT) return;
      }
    } catch (err) {
      // Every 250 ms while the database is down: say so now and then, not each time.
      failures++;
      if (performance.now() - warnedAt >= WARN_EVERY_MS) {
        warnedAt = performance.now();
        deps.log.warn({ err, failures }, 'schedules could not be claimed');
      }
    }
  };

  return {
    /** One pass now (tests). */
    tick: () => {
      pass ??= tick().finally(() => (pass = undefined));
      return pass;
    },
    start(): void {
      timer ??= setInterval(() => {
        pass ??= tick().finally(() => (pass = undefined));
      }, options.everyMs ?? 250).unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await pass;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

/** How late a tick may fire: its period, within 1–60 s. */
export function graceMs(spec: ScheduleSpec | null, tick: Date | null): number {
  const period = spec && tick ? periodAfter(spec, tick) : undefined;
  return Math.max(GRACE_MS.min, Math.min(GRACE_MS.max, period ?? GRACE_MS.max));
}

/** The invocation one tick becomes, with the function's async policy. */
function tickEvent(s: ScheduleRecord, tick: Date, config: unknown): NewAsyncEvent {
  const id = randomUUID();
  return {
    id,
    functionName: s.functionName,
    payload: scheduleEventJson({ id, schedule: s.name, time: tick, detailJson: s.event }),
    policy: policyOf(config),
  };
}

/** The policy in a stored function config; the defaults when it has none (or it is unreadable). */
function policyOf(config: unknown): ReturnType<typeof asyncPolicy> {
  const given = (config as { async?: unknown } | null)?.async;
  const parsed = asyncConfigSchema.safeParse(given ?? {});
  return asyncPolicy(parsed.success ? parsed.data : asyncConfigSchema.parse({}));
}
