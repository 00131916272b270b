import type { Runtime } from '@mini-lambda/runtime';
import type { Store } from '@mini-lambda/store';
import type { Logger } from 'pino';
import type { FunctionDirectory } from '../function-directory.ts';
import type { Metrics } from '../metrics.ts';
import { acceptAsync } from './accept.ts';
import { createDelivery } from './delivery.ts';
import { listenForEvents } from './listen.ts';
import { createRetention, EMBEDDED_RETENTION } from './retention.ts';
import { createScheduler } from './scheduler.ts';

export interface AsyncEngineDeps {
  instanceId: string;
  store: Pick<Store, 'sql' | 'queue' | 'schedules' | 'embedded' | 'syncAccepted'>;
  directory: Pick<FunctionDirectory, 'get' | 'stamp' | 'called'>;
  runtime: Pick<Runtime, 'invoke'>;
  metrics: Pick<Metrics, 'async' | 'invocation'>;
  log: Logger;
}

export interface AsyncEngineOptions {
  concurrency: number;
  leaseGraceMs: number;
  retentionS: number;
}

/** LISTEN that failed is tried again after this, doubling up to the max. */
const LISTEN_RETRY_MS = { min: 1000, max: 30_000 } as const;

/**
 * Asynchronous invocations on one instance: accepting events, delivering them, firing
 * schedules, purging old rows, and listening for other instances' events. Accepting works
 * from creation; the background parts run between `start()` and `stop()`.
 */
export function createAsyncEngine(deps: AsyncEngineDeps, options: AsyncEngineOptions) {
  const { store, log } = deps;
  const delivery = createDelivery(
    { ...deps, queue: store.queue },
    {
      concurrency: options.concurrency,
      leaseGraceMs: options.leaseGraceMs,
    },
  );
  const wake = () => delivery.wake();
  const scheduler = createScheduler({
    schedules: store.schedules,
    metrics: deps.metrics.async,
    log,
    wake,
  });
  const retention = createRetention(
    { queue: store.queue, log },
    { retentionS: options.retentionS, ...(store.embedded ? EMBEDDED_RETENTION : {}) },
  );
  const acceptDeps = {
    directory: deps.directory,
    queue: store.queue,
    syncAccepted: store.syncAccepted,
    wake,
    metrics: deps.metrics.async,
    // Started and with room for it: this instance delivers it now, no other need be woken.
    deliversNow: (name: string, maxConcurrency: number) =>
      started && stopping === undefined && delivery.hasRoom(name, maxConcurrency),
  };
  let listener: { close(): Promise<void> } | undefined;
  let listenTimer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;
  /** LISTEN, tried again with a growing wait while it fails (PostgreSQL down at boot). */
  const listen = (waitMs: number) => {
    listenForEvents(store.sql, wake).then(
      (l) => {
        if (stopping) void l.close().catch(() => {});
        else {
          listener = l;
          if (waitMs > LISTEN_RETRY_MS.min) log.info('async events: LISTEN works again');
          wake(); // events may have been queued while nobody listened
        }
      },
      (err) => {
        if (stopping) return;
        if (waitMs === LISTEN_RETRY_MS.min) {
          log.warn({ err }, 'async events: LISTEN failed, polling meanwhile and trying again');
        }
        listenTimer = setTimeout(
          () => listen(Math.min(waitMs * 2, LISTEN_RETRY_MS.max)),
          waitMs,
        ).unref();
      },
    );
  };
  const stop = async (timeoutMs: number) => {
    clearTimeout(listenTimer);
    await Promise.all([scheduler.stop(), retention.stop(), delivery.stop(timeoutMs)]);
    await listener?.close().catch(() => {});
  };

  return {
    /** Stores an event for delivery (see `acceptAsync`); the invocation id. */
    accept: (name: string, version: number | undefined, body: Buffer) =>
      acceptAsync(acceptDeps, name, version, body),
    /** Events were queued outside `accept` (a redrive): look at the queue now. */
    wake,
    /** Starts delivery, schedules, retention and (on PostgreSQL) the NOTIFY listener. */
    start(): void {
      if (started) return;
      started = true;
      // Embedded, this process is the only writer and wakes itself on accept.
      if (!store.embedded) listen(LISTEN_RETRY_MS.min);
      delivery.start();
      scheduler.start();
      retention.start();
    },
    /**
     * Stops taking and firing, waits up to `timeoutMs` for deliveries in flight; what still
     * runs then is left to its lease. Once: a second call waits for the first.
     */
    stop(timeoutMs: number): Promise<void> {
      if (!started) return Promise.resolve();
      stopping ??= stop(timeoutMs);
      return stopping;
    },
    /** Events this instance is delivering now. */
    get inFlight(): number {
      return delivery.inFlight;
    },
    /** Functions whose delivery is paused here now (throttled, quarantined, unavailable). */
    pausedFunctions: () => delivery.pausedFunctions(),
    /** Whether the NOTIFY listener is up (PostgreSQL only). */
    get listening(): boolean {
      return listener !== undefined;
    },
  };
}

export type AsyncEngine = ReturnType<typeof createAsyncEngine>;
