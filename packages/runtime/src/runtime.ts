import { randomUUID } from 'node:crypto';
import {
  type InvocationOutcome,
  MiniLambdaError,
  NO_LOGS,
  parseRuntimeLimits,
  type RunnableFunction,
  type RuntimeLimits,
  type RuntimeLimitsInput,
} from '@mini-lambda/core';
import { createBlankIsolate } from './blank-isolate.ts';
import { CodeCache, CodeCaches } from './code-cache.ts';
import { CpuGate } from './cpu-gate.ts';
import type { CallResult } from './envelope.ts';
import { FunctionIsolate } from './function-isolate.ts';
import { type Capacity, Pool, type Ticket } from './pool.ts';
import { SpareIsolates } from './spare-isolates.ts';
import type { RuntimeHealth, RuntimeStats } from './stats.ts';

export interface InvokeOptions {
  /** Defaults to a random UUID. */
  invocationId?: string;
}

/**
 * Runs function versions. Async throughout and free of in-process assumptions, so the
 * pools can live in this process or in supervised sandbox processes behind IPC.
 */
export interface Runtime {
  /** Runs `fn` with the raw JSON `event` (empty string = null). User failures are values. */
  invoke(fn: RunnableFunction, event: string, options?: InvokeOptions): Promise<InvocationOutcome>;
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
  onCatastrophicError?: (message: string) => void;
}

/** Creates the in-process runtime: isolate pools in this process. */
export function createInProcessRuntime(
  deps: RuntimeDeps,
  limits: RuntimeLimitsInput = {},
): Runtime {
  return new InProcessRuntime(deps, parseRuntimeLimits(limits));
}

class InProcessRuntime implements Runtime, Capacity {
  private readonly pools = new Map<string, Pool>();
  private readonly cpu: CpuGate;
  private readonly preludeCache = new CodeCache();
  private readonly codeCaches = new CodeCaches();
  private readonly sweeper: NodeJS.Timeout;
  private readonly spares: SpareIsolates;
  private isolates = 0;
  private reservedMb = 0;
  private evicting = false;
  private disposed = false;
  private catastrophicError: string | undefined;
  private readonly deps: RuntimeDeps;
  private readonly limits: RuntimeLimits;

  constructor(deps: RuntimeDeps, limits: RuntimeLimits) {
    this.deps = deps;
    this.limits = limits;
    this.cpu = new CpuGate(limits.maxExecuting);
    this.spares = new SpareIsolates(limits.spareIsolates, (memoryMb) =>
      createBlankIsolate({
        memoryMb,
        preludeCache: this.preludeCache,
        logLimit: limits.logLimit,
        onCatastrophicError: (message) => this.onCatastrophicError(message),
      }),
    );
    const every = Math.min(Math.max(limits.idleTtlMs / 4, 250), 10_000);
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  async invoke(
    fn: RunnableFunction,
    event: string,
    options: InvokeOptions = {},
  ): Promise<InvocationOutcome> {
    if (this.disposed)
      throw new MiniLambdaError('ServiceUnavailable', 'The runtime has been disposed');
    const invocationId = options.invocationId ?? randomUUID();
    const pool = this.poolFor(fn);
    const pending = pool.acquire();
    const ticket: Ticket = pending instanceof Promise ? await pending : pending;
    if (ticket.kind === 'throttled') {
      const { message, retryAfterMs } = ticket;
      return {
        ok: false,
        reason: 'throttled',
        message,
        retryAfterMs,
        invocationId,
        coldStart: false,
        durationMs: 0,
        logs: NO_LOGS,
      };
    }
    const started = performance.now();
    const outcome =
      ticket.kind === 'warm'
        ? await this.run(pool, ticket.isolate, event, invocationId, false, started)
        : await this.coldStart(pool, event, invocationId, started);
    pool.record(outcome);
    return outcome;
  }

  private async coldStart(
    pool: Pool,
    event: string,
    invocationId: string,
    started: number,
  ): Promise<InvocationOutcome> {
    let code: string;
    try {
      code = await pool.loadCode(this.deps.loadCode);
    } catch (err) {
      pool.createFailed();
      throw err; // storage or database trouble is ours, not the function's
    }
    const releaseCpu = await this.cpu.acquire();
    const created = await FunctionIsolate.create(
      {
        fn: pool.fn,
        code,
        codeCache: pool.codeCache,
        preludeCache: this.preludeCache,
        logLimit: this.limits.logLimit,
        maxResultBytes: this.limits.maxResultBytes,
        initTimeoutMs: this.limits.initTimeoutMs,
        onCatastrophicError: (message) => this.onCatastrophicError(message),
      },
      this.spares.take(pool.fn.config.memory_mb),
    ).catch((err: unknown) => {
      releaseCpu();
      pool.createFailed();
      throw err;
    });
    if (!created.ok) {
      releaseCpu();
      pool.createFailed();
      this.spares.replenish();
      return {
        ...created.failure,
        invocationId,
        coldStart: true,
        durationMs: performance.now() - started,
      };
    }
    pool.created(created.isolate);
    try {
      return await this.run(pool, created.isolate, event, invocationId, true, started, releaseCpu);
    } finally {
      this.spares.replenish();
    }
  }

  private async run(
    pool: Pool,
    isolate: FunctionIsolate,
    event: string,
    invocationId: string,
    coldStart: boolean,
    started: number,
    heldCpu?: () => void,
  ): Promise<InvocationOutcome> {
    const timeoutMs = pool.fn.config.timeout_ms;
    try {
      let result: CallResult;
      if (this.limits.execution === 'sync') {
        // This thread runs one call at a time: it is the CPU gate.
        heldCpu?.();
        const running = isolate.callSync(event, invocationId, timeoutMs);
        result = running instanceof Promise ? await running : running;
      } else {
        const releaseCpu = heldCpu ?? (await this.cpu.acquire());
        try {
          result = await isolate.call(event, invocationId, timeoutMs);
        } finally {
          releaseCpu();
        }
      }
      return { ...result, invocationId, coldStart, durationMs: performance.now() - started };
    } finally {
      pool.release(isolate);
    }
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
    const pool = new Pool(fn, this.codeCaches.acquire(fn.sha256), this, this.limits);
    this.pools.set(key, pool);
    return pool;
  }

  reserve(memoryMb: number, requester: Pool): boolean {
    this.evicting = true;
    try {
      while (
        this.isolates + 1 > this.limits.maxIsolates ||
        this.reservedMb + memoryMb > this.limits.maxTotalMemoryMb
      ) {
        if (!this.evictLeastRecentlyUsed(requester)) return false;
      }
    } finally {
      this.evicting = false;
    }
    this.isolates++;
    this.reservedMb += memoryMb;
    return true;
  }

  free(memoryMb: number): void {
    this.isolates--;
    this.reservedMb -= memoryMb;
    if (this.evicting) return; // the room is for the pool that is evicting
    for (const pool of this.pools.values()) if (pool.hasWaiters) pool.grantFreedSlot();
  }

  private evictLeastRecentlyUsed(requester: Pool): boolean {
    let victim: Pool | undefined;
    for (const pool of this.pools.values()) {
      const at = pool.oldestIdleAt;
      if (
        pool !== requester &&
        at !== undefined &&
        (victim === undefined || at < (victim.oldestIdleAt ?? Infinity))
      )
        victim = pool;
    }
    return victim?.evictOldest() ?? false;
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
  }

  async stats(): Promise<RuntimeStats> {
    const pools = [...this.pools.values()].map((p) => p.stats());
    const sum = (k: 'busy' | 'idle' | 'waiting') => pools.reduce((n, p) => n + p[k], 0);
    return {
      totals: {
        isolates: this.isolates,
        busy: sum('busy'),
        idle: sum('idle'),
        waiting: sum('waiting'),
        executing: this.cpu.active,
        waiting_for_cpu: this.cpu.waiting,
        spares: this.spares.count,
        reserved_memory_mb: this.reservedMb,
      },
      pools,
    };
  }

  async health(): Promise<RuntimeHealth> {
    if (this.catastrophicError !== undefined)
      return { ok: false, catastrophicError: this.catastrophicError };
    return { ok: !this.disposed };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) pool.dispose();
    this.pools.clear();
    this.codeCaches.clear();
    this.spares.dispose();
    this.preludeCache.release();
  }

  private onCatastrophicError(message: string): void {
    this.catastrophicError ??= message;
    (this.deps.onCatastrophicError ?? exitAfterCatastrophe)(message);
  }
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
