import type { DestinationCondition } from '@mini-lambda/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How one delivery of an event ended, as the deliveries counter labels it. */
export const DELIVERY_OUTCOMES = [
  'success',
  'error',
  'timeout',
  'oom',
  'aged_out',
  'lease_expired',
  'crashed',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

const DESTINATION_CONDITIONS: readonly DestinationCondition[] = [
  'Success',
  'RetriesExhausted',
  'EventAgeExceeded',
];

/** Why a due destination record was not sent. */
export const DROP_REASONS = ['depth', 'too_large', 'missing'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** One row of the queue's depth, per function (the store's `queue.depth()`). */
export interface QueueDepthRow {
  functionName: string;
  queued: number;
  oldestAgeS: number;
}

/** The depth is one GROUP BY over the queue: read at most this often, whatever scrapes. */
const DEPTH_TTL_MS = 5000;

const DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the async engine reports: the observer the engine calls. */
export interface AsyncObserver {
  accepted(fn: string): void;
  delivered(fn: string, outcome: DeliveryOutcome): void;
  /** An attempt failed and the event is queued again for another. */
  retried(fn: string): void;
  deadLettered(fn: string): void;
  destination(fn: string, condition: DestinationCondition): void;
  /** A destination record was due but not sent (chain too deep, over 1 MB, function gone). */
  destinationDropped(fn: string, reason: DropReason): void;
  /** From accepting an event to starting its first delivery. */
  delay(seconds: number): void;
  scheduleTick(fn: string, outcome: 'fired' | 'missed'): void;
  scheduleLag(seconds: number): void;
}

/**
 * The async series of docs/api.md on `registry`. The depth gauges are global facts read
 * from the database (every instance reports the same values), cached for a few seconds.
 */
export function asyncMetrics(
  registry: Registry,
  depth: (() => Promise<QueueDepthRow[]>) | undefined,
): AsyncObserver & { forget(fn: string): void } {
  const registers = [registry];
  const accepted = new Counter({
    name: 'mini_lambda_async_accepted_total',
    help: 'Asynchronous events accepted (stored) through this instance',
    labelNames: ['function'],
    registers,
  });
  const deliveries = new Counter({
    name: 'mini_lambda_async_deliveries_total',
    help: 'Deliveries of asynchronous events by outcome',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: 'mini_lambda_async_retries_total',
    help: 'Failed attempts queued again for a retry',
    labelNames: ['function'],
    registers,
  });
  const deadLetters = new Counter({
    name: 'mini_lambda_async_dead_letters_total',
    help: 'Events that became dead letters',
    labelNames: ['function'],
    registers,
  });
  const destinations = new Counter({
    name: 'mini_lambda_async_destinations_total',
    help: 'Destination records sent, by condition',
    labelNames: ['function', 'condition'],
    registers,
  });
  const dropped = new Counter({
    name: 'mini_lambda_async_destinations_dropped_total',
    help: 'Destination records due but not sent, by reason (depth, too_large, missing)',
    labelNames: ['function', 'reason'],
    registers,
  });
  const delay = new Histogram({
    name: 'mini_lambda_async_delay_seconds',
    help: 'From accepting an event to the start of its first delivery',
    buckets: DELAY_BUCKETS,
    registers,
  });
  const ticks = new Counter({
    name: 'mini_lambda_schedule_ticks_total',
    help: 'Schedule ticks fired or missed (too late to fire) by this instance',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const lag = new Histogram({
    name: 'mini_lambda_schedule_lag_seconds',
    help: 'How late a fired tick was queued after its time',
    buckets: LAG_BUCKETS,
    registers,
  });

  let cached: { at: number; rows: Promise<QueueDepthRow[]> } | undefined;
  const rows = () => {
    if (!depth) return Promise.resolve([]);
    if (!cached || performance.now() - cached.at > DEPTH_TTL_MS) {
      // A failed read is not cached: the next scrape asks again.
      const read = depth().catch(() => {
        cached = undefined;
        return [];
      });
      cached = { at: performance.now(), rows: read };
    }
    return cached.rows;
  };
  const depthGauge = (name: string, help: string, field: 'queued' | 'oldestAgeS') =>
    new Gauge({
      name,
      help,
      labelNames: ['function'],
      registers,
      async collect() {
        const found = await rows();
        this.reset();
        for (const row of found) this.set({ function: row.functionName }, row[field]);
      },
    });
  depthGauge('mini_lambda_async_queue_depth', 'Queued asynchronous events per function', 'queued');
  depthGauge(
    'mini_lambda_async_oldest_event_age_seconds',
    'Age of the oldest queued event per function',
    'oldestAgeS',
  );

  return {
    accepted: (fn) => accepted.inc({ function: fn }),
    delivered: (fn, outcome) => deliveries.inc({ function: fn, outcome }),
    retried: (fn) => retries.inc({ function: fn }),
    deadLettered: (fn) => deadLetters.inc({ function: fn }),
    destination: (fn, condition) => destinations.inc({ function: fn, condition }),
    destinationDropped: (fn, reason) => dropped.inc({ function: fn, reason }),
    delay: (seconds) => delay.observe(Math.max(0, seconds)),
    scheduleTick: (fn, outcome) => ticks.inc({ function: fn, outcome }),
    scheduleLag: (seconds) => lag.observe(Math.max(0, seconds)),
    forget(fn: string) {
      accepted.remove({ function: fn });
      for (const outcome of DELIVERY_OUTCOMES) deliveries.remove({ function: fn, outcome });
      retries.remove({ function: fn });
      deadLetters.remove({ function: fn });
      for (const condition of DESTINATION_CONDITIONS) {
        destinations.remove({ function: fn, condition });
      }
      for (const reason of DROP_REASONS) dropped.remove({ function: fn, reason });
      ticks.remove({ function: fn, outcome: 'fired' });
      ticks.remove({ function: fn, outcome: 'missed' });
    },
  };
}
