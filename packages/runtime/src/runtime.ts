import { randomUUID } from 'node:crypto';
import {
  type InvocationInput,
  type InvocationOutcome,
  MiniLambdaError,
  type ModuleInspection,
  type OutboundRequest,
  type OutboundResponse,
  type RunnableFunction,
  type RuntimeLimits,
} from '@mini-lambda/core';
import { createBlankIsolate } from './blank-isolate.ts';
import { GlobalCapacity } from './capacity.ts';
import { CodeCache, CodeCaches } from './code-cache.ts';
import { CpuGate, type Release } from './cpu-gate.ts';
import type { CallResult } from './envelope.ts';
import { shutDown } from './failures.ts';
import { FunctionIsolate } from './function-isolate.ts';
import { inspectModule } from './inspect-module.ts';
import { notRun } from './not-run.ts';
import { Pool } from './pool.ts';
import { SpareIsolates } from './spare-isolates.ts';
import type { RuntimeHealth, RuntimeStats } from './stats.ts';

export interface InvokeOptions {
  /** Defaults to a random UUID. */
  invocationId?: string;
  /**
   * The function's ctx.waitUntil work runs on after its outcome: `ended` settles when it
   * is done (or ended at the deadline). Called before the outcome is returned.
   */
  onLinger?: (ended: Promise<void>) => void;
}

/** The instance's outbound client, as the runtime hands it to one invocation's `fetch`. */
export type OutboundFetch = (
  /** `subrequests`: the invocation's count so far, kept by whoever runs it. */
  call: { fn: RunnableFunction; invocationId: string; subrequests: { used: number } },
  request: OutboundRequest,
  signal: AbortSignal,
) => Promise<OutboundResponse>;

/**
 * Runs function versions. Async throughout and free of in-process assumptions, so the
 * pools can live in this process or in supervised sandbox processes behind IPC.
 */
/** What a deploy's inspection needs: the memory, and what top-level code may read (`process.env`). */
export interface InspectRequest {
  memoryMb: number;
  name?: string | undefined;
  env?: Record<string, string> | undefined;
}

export interface Runtime {
  /**
   * Runs `fn` with `input`: the raw JSON event (empty string = null), or an HTTP request
   * for a fetch-style function. User failures are values.
   */
  invoke(
    fn: RunnableFunction,
    input: InvocationInput,
    options?: InvokeOptions,
  ): Promise<InvocationOutcome>;
  /**
   * Evaluates a bundle in a throwaway isolate (bounded as a cold start) and reports the
   * handler it offers: how a deploy learns a module's handler style.
   */
  inspect(code: string, options: InspectRequest): Promise<ModuleInspection>;
  /** Drains the pools of `name` (one version, or all): idle isolates now, busy ones on release. */
  retire(name: string, version?: number): Promise<void>;
  stats(): Promise<RuntimeStats>;
  health(): Promise<RuntimeHealth>;
  /** Ends every isolate and refuses further invocations. */
  dispose(): Promise<void>;
}

export interface RuntimeDeps {
  /** The bundle of a version; called once per cold pool, not per invocation. */
  loadCode: (fn: RunnableFunction) => Promise<string>;
  /**
   * V8 lost control of an isolate: a thread may be spinning and the process may not exit
   * cleanly. The default logs and SIGKILLs this process after a short grace, for its
   * supervisor to replace it; a sandbox supervisor passes its own.
   */
  onCatastrophicError?: (message: string, fn?: RunnableFunction) => void;
  /** Where a function's `fetch` goes; without it every fetch is refused. */
  fetch?: OutboundFetch;
}

/**
 * Creates the in-process runtime: isolate pools in this process. `limits` are parsed
 * already, at the caller's edge (see `runtimeLimits`).
 */
export function createInProcessRuntime(deps: RuntimeDeps, limits: RuntimeLimits): Runtime {
  return new InProcessRuntime(deps, limits);
}

type Timing = {
  invocationId: string;
  onLinger?: ((ended: Promise<void>) => void) | undefined;
  coldStart: boolean;
  started: number;
  initDurationMs?: number;
};

class InProcessRuntime implements Runtime {
  private readonly pools = new Map<string, Pool>();
  /** Retired pools whose busy isolates or waiters have not finished yet. */
  private readonly draining = new Set<Pool>();
  private readonly capacity: GlobalCapacity;
  private readonly cpu: CpuGate;
  private readonly preludeCache = new CodeCache();
  private readonly chunkCaches = new Map<string, CodeCache>();
  /** Memory of the isolates evaluating modules for deploys now. */
  private inspectingMb = 0;
  private readonly codeCaches = new CodeCaches();
  private readonly spares: SpareIsolates;
  private readonly sweeper: NodeJS.Timeout;
  private disposed = false;
  private catastrophicError: string | undefined;
  private readonly deps: RuntimeDeps;
  private readonly limits: RuntimeLimits;

  constructor(deps: RuntimeDeps, limits: RuntimeLimits) {
    this.deps = deps;
    this.limits = limits;
    this.capacity = new GlobalCapacity(limits, () => this.pools.values());
    this.cpu = new CpuGate(limits.maxExecuting);
    this.spares = new SpareIsolates(limits.spareIsolates, (memoryMb) =>
      createBlankIsolate({
        memoryMb,
        preludeCache: this.preludeCache,
        chunkCaches: this.chunkCaches,
        logLimit: limits.logLimit,
        maxResultBytes: limits.maxResultBytes,
        syncExecution: limits.execution === 'sync',
        onCatastrophicError: (message) => this.onCatastrophicError(message),
      }),
    );
    const every = Math.min(Math.max(limits.idleTtlMs / 4, 250), 10_000);
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  async invoke(
    fn: RunnableFunction,
    event: InvocationInput,
    options: InvokeOptions = {},
  ): Promise<InvocationOutcome> {
    if (this.disposed) {
      throw new MiniLambdaError('ServiceUnavailable', 'The runtime has been disposed');
    }
    const invocationId = options.invocationId ?? randomUUID();
    const pool = this.poolFor(fn);
    const pending = pool.acquire();
    const ticket = pending instanceof Promise ? await pending : pending;
    if (ticket.kind === 'throttled')
      return notRun('throttled', ticket.message, ticket.retryAfterMs, invocationId);
    const timing = {
      invocationId,
      onLinger: options.onLinger,
      coldStart: ticket.kind === 'cold',
      started: performance.now(),
    };
    const outcome =
      ticket.kind === 'warm'
        ? await this.run(pool, ticket.isolate, event, timing)
        : await this.coldStart(pool, event, timing);
    pool.record(outcome);
    return outcome;
  }

  private async coldStart(
    pool: Pool,
    event: InvocationInput,
    timing: Timing,
  ): Promise<InvocationOutcome> {
    let code: string;
    try {
      code = await this.loadCode(pool);
    } catch (err) {
      pool.createFailed();
      throw err; // storage or database trouble is ours, not the function's
    }
    const releaseCpu = await this.acquireCpu(timing);
    if (typeof releaseCpu !== 'function') {
      pool.createFailed();
      return releaseCpu;
    }
    const initStarted = performance.now();
    const created = await FunctionIsolate.create(
      {
        fn: pool.fn,
        code,
        codeCache: pool.codeCache,
        preludeCache: this.preludeCache,
        chunkCaches: this.chunkCaches,
        logLimit: this.limits.logLimit,
        maxResultBytes: this.limits.maxResultBytes,
        initTimeoutMs: this.limits.initTimeoutMs,
        syncExecution: this.limits.execution === 'sync',
        onCatastrophicError: (message) => this.onCatastrophicError(message, pool.fn),
      },
      this.spares.take(pool.fn.config.memory_mb),
    ).catch((err: unknown) => {
      releaseCpu();
      pool.createFailed();
      throw err;
    });
    if (!created.ok || this.disposed) {
      releaseCpu();
      if (created.ok) created.isolate.dispose(); // shut down while it was being created
      pool.createFailed();
      this.spares.replenish();
      return outcomeOf(created.ok ? shutDown() : created.failure, timing);
    }
    pool.created(created.isolate);
    timing.initDurationMs = performance.now() - initStarted;
    try {
      return await this.run(pool, created.isolate, event, timing, releaseCpu);
    } finally {
      this.spares.replenish();
    }
  }

  private async run(
    pool: Pool,
    isolate: FunctionIsolate,
    event: InvocationInput,
    timing: Timing,
    heldCpu?: Release,
  ): Promise<InvocationOutcome> {
    const timeoutMs = pool.fn.config.timeout_ms;
    let releaseCpu: Release | undefined;
    try {
      if (this.limits.execution === 'sync') {
        // This thread runs one call at a time: it is the CPU gate.
        heldCpu?.();
      } else {
        const acquired = heldCpu ?? (await this.acquireCpu(timing));
        if (typeof acquired !== 'function') return acquired;
        releaseCpu = acquired;
      }
      const io = {
        fetch: this.fetchFor(pool.fn, timing.invocationId),
        // Awaiting a timer or a fetch holds no execution slot.
        ...(releaseCpu ? { suspended: releaseCpu } : {}),
      };
      const running = isolate.call(event, timing.invocationId, timeoutMs, io);
      const result = running instanceof Promise ? await running : running;
      return outcomeOf(result, timing);
    } finally {
      releaseCpu?.();
      const after = isolate.afterCall();
      if (after) {
        timing.onLinger?.(after);
        void after.then(() => pool.release(isolate));
      } else pool.release(isolate);
    }
  }

  /** One invocation's way out to the network, or none when this runtime has no client. */
  private fetchFor(fn: RunnableFunction, invocationId: string) {
    const fetch = this.deps.fetch;
    if (!fetch) return undefined;
    const subrequests = { used: 0 };
    return (request: OutboundRequest, signal: AbortSignal) =>
      fetch({ fn, invocationId, subrequests }, request, signal);
  }

  /** The pool's bundle, bounded in time: a hung object store must not hold reservations. */
  private loadCode(pool: Pool): Promise<string> {
    const ms = this.limits.initTimeoutMs;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new MiniLambdaError('ServiceUnavailable', `Loading the bundle took over ${ms} ms`));
      }, ms);
      pool
        .loadCode(this.deps.loadCode)
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
  }

  /**
   * An execution slot, or the outcome of not getting one: throttled after the bounded
   * wait, or shut down when the runtime was disposed meanwhile.
   */
  private async acquireCpu(timing: Timing): Promise<Release | InvocationOutcome> {
    const acquired = this.disposed ? undefined : this.cpu.acquire(this.limits.queueTimeoutMs);
    const release = acquired instanceof Promise ? await acquired : acquired;
    if (release && !this.disposed) return release;
    release?.();
    if (this.disposed) return outcomeOf(shutDown(), timing);
    const ms = this.limits.queueTimeoutMs;
    return notRun(
      'throttled',
      `Every execution slot stayed busy for ${ms} ms`,
      1000,
      timing.invocationId,
    );
  }

  /** The pool of this version; a redeployed name or changed memory/env gets a fresh pool. */
  private poolFor(fn: RunnableFunction): Pool {
    const key = `${fn.name}@${fn.version}`;
    const existing = this.pools.get(key);
    if (existing) {
      if (existing.fn === fn) return existing;
      if (sameIsolateShape(existing.fn, fn)) {
        existing.fn = fn; // timeout and max_concurrency apply from the next call
        return existing;
      }
      this.retirePool(key, existing);
    }
    const pool = new Pool(fn, this.codeCaches.acquire(fn.sha256), this.capacity, this.limits);
    this.pools.set(key, pool);
    return pool;
  }

  async inspect(code: string, options: InspectRequest): Promise<ModuleInspection> {
    if (this.disposed) {
      throw new MiniLambdaError('ServiceUnavailable', 'The runtime has been disposed');
    }
    // Counted as reserved while it runs: a sandbox's memory ceiling follows reservations.
    this.inspectingMb += options.memoryMb;
    return inspectModule(
      code,
      {
        memoryMb: options.memoryMb,
        initTimeoutMs: this.limits.initTimeoutMs,
        name: options.name,
        env: options.env,
      },
      {
        preludeCache: this.preludeCache,
        chunkCaches: this.chunkCaches,
        logLimit: this.limits.logLimit,
        maxResultBytes: this.limits.maxResultBytes,
        onCatastrophicError: (message) => this.onCatastrophicError(message),
      },
    ).finally(() => {
      this.inspectingMb -= options.memoryMb;
    });
  }

  private sweep(): void {
    const cutoff = performance.now() - this.limits.idleTtlMs;
    for (const pool of this.pools.values()) pool.sweep(cutoff);
  }

  async retire(name: string, version?: number): Promise<void> {
    for (const [key, pool] of this.pools) {
      if (pool.fn.name === name && (version === undefined || pool.fn.version === version)) {
        this.retirePool(key, pool);
      }
    }
  }

  private retirePool(key: string, pool: Pool): void {
    pool.retire();
    this.pools.delete(key);
    this.codeCaches.release(pool.fn.sha256);
    if (pool.size > 0 || pool.hasWaiters) this.draining.add(pool);
  }

  async stats(): Promise<RuntimeStats> {
    for (const pool of this.draining)
      if (pool.size === 0 && !pool.hasWaiters) this.draining.delete(pool);
    const pools = [...this.pools.values()].map((p) => p.stats());
    const all = [...pools, ...[...this.draining].map((p) => p.stats())];
    const sum = (k: 'busy' | 'idle' | 'waiting') => all.reduce((n, p) => n + p[k], 0);
    return {
      totals: {
        isolates: this.capacity.isolates,
        busy: sum('busy'),
        idle: sum('idle'),
        waiting: sum('waiting'),
        executing: this.cpu.active,
        waiting_for_cpu: this.cpu.waiting,
        spares: this.spares.count,
        spares_taken: this.spares.taken,
        reserved_memory_mb: this.capacity.reservedMb + this.inspectingMb,
      },
      pools,
    };
  }

  async health(): Promise<RuntimeHealth> {
    if (this.catastrophicError !== undefined) {
      return { ok: false, catastrophicError: this.catastrophicError };
    }
    return { ok: !this.disposed };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.sweeper);
    this.capacity.close();
    this.cpu.drain();
    for (const pool of [...this.pools.values(), ...this.draining]) pool.dispose();
    this.pools.clear();
    this.codeCaches.clear();
    this.spares.dispose();
    this.preludeCache.release();
    for (const cache of this.chunkCaches.values()) cache.release();
  }

  /** `fn` is the function whose isolate it was, when known (not for a blank spare). */
  private onCatastrophicError(message: string, fn?: RunnableFunction): void {
    if (this.catastrophicError !== undefined) return; // reported once; the process is done
    this.catastrophicError = message;
    (this.deps.onCatastrophicError ?? exitAfterCatastrophe)(message, fn);
  }
}

function outcomeOf(result: CallResult, timing: Timing): InvocationOutcome {
  const { invocationId, coldStart, started, initDurationMs } = timing;
  const durationMs = performance.now() - started;
  return initDurationMs === undefined
    ? { ...result, invocationId, coldStart, durationMs }
    : { ...result, invocationId, coldStart, durationMs, initDurationMs };
}

function sameIsolateShape(a: RunnableFunction, b: RunnableFunction): boolean {
  if (a.sha256 !== b.sha256 || a.config.memory_mb !== b.config.memory_mb) return false;
  const ak = Object.keys(a.config.env);
  const bk = Object.keys(b.config.env);
  return ak.length === bk.length && ak.every((k) => a.config.env[k] === b.config.env[k]);
}

/**
 * The default reaction to a catastrophic V8 error: `process.exit()` can hang behind the
 * spinning isolate thread, so give in-flight calls a moment and then SIGKILL ourselves.
 */
function exitAfterCatastrophe(message: string): void {
  process.stderr.write(
    `mini-lambda runtime: catastrophic isolate error (${message}); exiting in 1 s\n`,
  );
  // Not unref'd: the process must not drift into a hanging exit before the kill.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
}
