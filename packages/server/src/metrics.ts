import type { InvocationOutcome } from '@mini-lambda/core';
import type { RuntimeStats } from '@mini-lambda/runtime';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { asyncMetrics, type QueueDepthRow } from './async/async-metrics.ts';
import type { OutboundObserver, OutboundOutcome, RefusalReason } from './outbound/index.ts';

/** docs/api.md's outcome label: every failure reason folds into one of these. */
const OUTCOME_LABELS = ['success', 'error', 'timeout', 'oom', 'throttled'] as const;
type OutcomeLabel = (typeof OUTCOME_LABELS)[number];

const OUTBOUND_OUTCOMES: readonly OutboundOutcome[] = [
  'ok',
  'refused',
  'limit',
  'aborted',
  'error',
];
const REFUSAL_REASONS: readonly RefusalReason[] = [
  'egress_none',
  'host_not_listed',
  'scheme',
  'port',
  'own_address',
  'non_public_address',
];

const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
];
const FAST_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/**
 * The Prometheus registry of one instance: docs/api.md's metrics with `instance` as a default
 * label, prom-client's process metrics, pool gauges read from the runtime per scrape, and the
 * async queue's depth from `queueDepth` (the store's, read at most every few seconds).
 */
export function createMetrics(
  instanceId: string,
  stats: () => Promise<RuntimeStats>,
  queueDepth?: () => Promise<QueueDepthRow[]>,
) {
  const registry = new Registry();
  registry.setDefaultLabels({ instance: instanceId });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  // One stats read serves the three pool gauges of a scrape.
  let snapshot: Promise<RuntimeStats> | undefined;
  const poolStats = () => {
    snapshot ??= stats().finally(() => setTimeout(() => (snapshot = undefined), 100).unref());
    return snapshot;
  };
  const poolGauge = (name: string, help: string, field: 'size' | 'busy' | 'waiting') =>
    new Gauge({
      name,
      help,
      labelNames: ['function'],
      registers,
      async collect() {
        const perFunction = new Map<string, number>();
        for (const pool of (await poolStats()).pools) {
          perFunction.set(pool.function, (perFunction.get(pool.function) ?? 0) + pool[field]);
        }
        this.reset();
        for (const [fn, value] of perFunction) this.set({ function: fn }, value);
      },
    });
  poolGauge('mini_lambda_pool_size', 'Live isolates per function (all versions)', 'size');
  poolGauge('mini_lambda_pool_busy', 'Isolates running an invocation, per function', 'busy');
  poolGauge(
    'mini_lambda_pool_waiting',
    'Invocations queued for an isolate, per function',
    'waiting',
  );
  new Gauge({
    name: 'mini_lambda_isolates',
    help: 'Live isolates on this instance',
    registers,
    async collect() {
      this.set((await poolStats()).totals.isolates);
    },
  });

  const invocations = new Counter({
    name: 'mini_lambda_invocations_total',
    help: 'Invocations by function and outcome',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'mini_lambda_invocation_duration_seconds',
    help: 'Time from getting an isolate to the outcome',
    labelNames: ['function'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const coldStarts = new Counter({
    name: 'mini_lambda_cold_starts_total',
    help: 'Invocations that created their isolate',
    labelNames: ['function'],
    registers,
  });
  const coldStartDuration = new Histogram({
    name: 'mini_lambda_cold_start_duration_seconds',
    help: 'Creating an isolate and running the module top level (init phase)',
    buckets: DURATION_BUCKETS,
    registers,
  });
  const overhead = new Histogram({
    name: 'mini_lambda_platform_overhead_seconds',
    help: 'Server time per invocation outside the runtime call (routing, body, response)',
    buckets: FAST_BUCKETS,
    registers,
  });
  const deployments = new Counter({
    name: 'mini_lambda_deployments_total',
    help: 'Versions deployed through this instance',
    registers,
  });

  const sandboxRestarts = new Counter({
    name: 'mini_lambda_sandbox_restarts_total',
    help: 'Sandbox processes replaced, by reason',
    labelNames: ['reason'],
    registers,
  });

  const outboundRequests = new Counter({
    name: 'mini_lambda_outbound_requests_total',
    help: 'Outbound fetch calls of functions by outcome (ok, refused, limit, aborted, error)',
    labelNames: ['function', 'outcome'],
    registers,
  });
  const outboundBytes = new Counter({
    name: 'mini_lambda_outbound_response_bytes_total',
    help: 'Outbound response body bytes received, before decompression',
    labelNames: ['function'],
    registers,
  });
  const egressRefusals = new Counter({
    name: 'mini_lambda_egress_refusals_total',
    help: 'Outbound requests refused by the egress policy, by reason',
    labelNames: ['function', 'reason'],
    registers,
  });
  const outbound: OutboundObserver = {
    request(fn: string, outcome: OutboundOutcome) {
      outboundRequests.inc({ function: fn, outcome });
    },
    received(fn: string, bytes: number) {
      outboundBytes.inc({ function: fn }, bytes);
    },
    refused(fn: string, reason: RefusalReason) {
      egressRefusals.inc({ function: fn, reason });
    },
  };

  const asyncSeries = asyncMetrics(registry, queueDepth);
  const { forget: forgetAsync, ...asyncObserver } = asyncSeries;

  // The labelled series of each function, looked up once: prom-client hashes the label
  // object on every call otherwise, and this runs on every invocation.
  type Series = {
    invocations: Record<OutcomeLabel, ReturnType<typeof invocations.labels>>;
    duration: ReturnType<typeof duration.labels>;
  };
  const series = new Map<string, Series>();
  const seriesOf = (name: string): Series => {
    let s = series.get(name);
    if (!s) {
      const counter = (outcome: OutcomeLabel) => invocations.labels({ function: name, outcome });
      s = {
        invocations: {
          success: counter('success'),
          error: counter('error'),
          timeout: counter('timeout'),
          oom: counter('oom'),
          throttled: counter('throttled'),
        },
        duration: duration.labels({ function: name }),
      };
      series.set(name, s);
    }
    return s;
  };

  return {
    registry,
    /** The outbound client's observer: requests, bytes received and egress refusals. */
    outbound,
    /** The async engine's observer: accepts, deliveries, retries, dead letters, schedule ticks. */
    async: asyncObserver,
    sandboxRestarted(reason: string): void {
      sandboxRestarts.inc({ reason });
    },
    /** Records one invocation; `serverMs` is the request's whole time in this server. */
    invocation(name: string, outcome: InvocationOutcome, serverMs: number): void {
      const s = seriesOf(name);
      s.invocations[outcomeLabel(outcome)].inc();
      if (outcome.ok || outcome.reason !== 'throttled') {
        s.duration.observe(outcome.durationMs / 1000);
        overhead.observe(Math.max(0, serverMs - outcome.durationMs) / 1000);
      }
      if (outcome.coldStart) {
        coldStarts.inc({ function: name });
        if (outcome.initDurationMs !== undefined)
          coldStartDuration.observe(outcome.initDurationMs / 1000);
      }
    },
    deployed(): void {
      deployments.inc();
    },
    /** Drops a deleted function's series, so label sets do not grow forever. */
    forget(name: string): void {
      series.delete(name);
      for (const outcome of OUTCOME_LABELS) invocations.remove({ function: name, outcome });
      duration.remove({ function: name });
      coldStarts.remove({ function: name });
      for (const outcome of OUTBOUND_OUTCOMES) outboundRequests.remove({ function: name, outcome });
      outboundBytes.remove({ function: name });
      for (const reason of REFUSAL_REASONS) egressRefusals.remove({ function: name, reason });
      forgetAsync(name);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

function outcomeLabel(outcome: InvocationOutcome): OutcomeLabel {
  if (outcome.ok) return 'success';
  switch (outcome.reason) {
    case 'timeout':
      return 'timeout';
    case 'oom':
      return 'oom';
    case 'throttled':
      return 'throttled';
    default:
      return 'error';
  }
}
