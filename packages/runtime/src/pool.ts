import type { InvocationOutcome, RunnableFunction } from '@mini-lambda/core';
import type { CodeCache } from './code-cache.ts';
import type { FunctionIsolate } from './function-isolate.ts';
import type { PoolStats } from './stats.ts';
import { WaitQueue } from './wait-queue.ts';

/** What `acquire` hands out: a warm isolate, the right to create one, or a refusal. */
export type Ticket =
  | { kind: 'warm'; isolate: FunctionIsolate }
  | { kind: 'cold' }
  | { kind: 'throttled'; message: string; retryAfterMs: number };

/** The runtime-wide budget a pool draws on to create isolates. */
export interface Capacity {
  /** Reserves room for one isolate of `memoryMb`, evicting idle isolates elsewhere if needed. */
  reserve(memoryMb: number, requester: Pool): boolean;
  /** Whether an isolate of `memoryMb` could ever be created here, once others are gone. */
  couldFit(memoryMb: number): boolean;
  /** Returns the room of an isolate (or reservation) that ended. */
  free(memoryMb: number): void;
  /** An isolate of `pool` went idle: room for pools whose waiters are blocked on the cap. */
  idled(pool: Pool): void;
  /** `pool` now has waiters, or no longer has any. */
  waiting(pool: Pool, hasWaiters: boolean): void;
}

export interface PoolLimits {
  queueLimit: number;
  queueTimeoutMs: number;
}

/**
 * The isolates of one function version on this instance: an idle stack (most recently
 * used on top, so the least used age out), creation up to `max_concurrency`, and a
 * bounded FIFO of waiters past that. One invocation per isolate at a time.
 */
export class Pool {
  fn: RunnableFunction;
  readonly codeCache: CodeCache;
  private readonly idle: FunctionIsolate[] = [];
  /** Isolates in a call; `busy` also counts reservations still being created. */
  private readonly inUse = new Set<FunctionIsolate>();
  private busy = 0;
  private readonly waiters = new WaitQueue<Ticket>();
  private shuttingDown = false;
  private code: Promise<string> | undefined;
  private retired = false;
  private readonly counts = {
    invocations: 0,
    cold_starts: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
    evictions: 0,
  };
  private readonly capacity: Capacity;
  private readonly limits: PoolLimits;

  constructor(fn: RunnableFunction, codeCache: CodeCache, capacity: Capacity, limits: PoolLimits) {
    this.fn = fn;
    this.codeCache = codeCache;
    this.capacity = capacity;
    this.limits = limits;
  }

  get size(): number {
    return this.idle.length + this.busy;
  }

  /** Last use of the least recently used idle isolate, for runtime-wide LRU eviction. */
  get oldestIdleAt(): number | undefined {
    return this.idle[0]?.lastUsedAt;
  }

  acquire(): Ticket | Promise<Ticket> {
    let warm = this.idle.pop();
    while (warm && !warm.reusable) {
      // Lost while idle (a catastrophic error): give its room back and look again.
      this.capacity.free(this.fn.config.memory_mb);
      warm = this.idle.pop();
    }
    if (warm) {
      this.busy++;
      this.inUse.add(warm);
      return { kind: 'warm', isolate: warm };
    }
    if (this.tryReserve()) return { kind: 'cold' };
    if (this.waiters.length >= this.limits.queueLimit) {
      return this.throttle(`all ${this.size} isolates are busy and the wait queue is full`);
    }
    if (!this.capacity.couldFit(this.fn.config.memory_mb)) {
      return this.throttle(
        `memory_mb ${this.fn.config.memory_mb} is more than this instance may hold at once`,
      );
    }
    // Wait: one of ours comes back, or room frees elsewhere (capacity wakes waiting pools).
    const { queueTimeoutMs } = this.limits;
    const waiting = this.waiters.wait(queueTimeoutMs);
    if (this.waiters.length === 1) this.capacity.waiting(this, true);
    return waiting.then((ticket) => {
      if (ticket) return ticket;
      if (this.waiters.length === 0) this.capacity.waiting(this, false);
      return this.throttle(
        this.shuttingDown
          ? 'the runtime is shutting down'
          : `no isolate became free within ${queueTimeoutMs} ms`,
      );
    });
  }

  /** Loads the bundle once per pool; concurrent cold starts share the load. */
  loadCode(load: (fn: RunnableFunction) => Promise<string>): Promise<string> {
    this.code ??= load(this.fn).catch((err: unknown) => {
      this.code = undefined; // let the next cold start try again
      throw err;
    });
    return this.code;
  }

  /** A cold start failed: give its reservation back. */
  createFailed(): void {
    this.busy--;
    this.capacity.free(this.fn.config.memory_mb);
    this.grantFreedSlot();
  }

  /** A cold start created `isolate` for the reservation it held. */
  created(isolate: FunctionIsolate): void {
    this.inUse.add(isolate);
  }

  /** Returns an isolate after a call; hands it to the next waiter when there is one. */
  release(isolate: FunctionIsolate): void {
    this.busy--;
    this.inUse.delete(isolate);
    isolate.lastUsedAt = performance.now();
    if (isolate.reusable) {
      if (this.waiters.length > 0) {
        this.busy++;
        this.inUse.add(isolate);
        this.grantWaiter({ kind: 'warm', isolate });
        return;
      }
      if (!this.retired) {
        this.idle.push(isolate);
        this.capacity.idled(this);
        return;
      }
    }
    isolate.dispose();
    this.capacity.free(this.fn.config.memory_mb);
    this.grantFreedSlot();
  }

  record(outcome: InvocationOutcome): void {
    if (!outcome.ok && outcome.reason === 'throttled') {
      this.counts.throttles++; // refused before it ran (no CPU slot in time)
      return;
    }
    this.counts.invocations++;
    if (outcome.coldStart) this.counts.cold_starts++;
    if (outcome.ok) return;
    if (outcome.reason === 'timeout') this.counts.timeouts++;
    else this.counts.errors++;
  }

  /** Disposes the least recently used idle isolate; false when there is none. */
  evictOldest(): boolean {
    const oldest = this.idle.shift();
    if (!oldest) return false;
    this.counts.evictions++;
    oldest.dispose();
    this.capacity.free(this.fn.config.memory_mb);
    return true;
  }

  /** Disposes idle isolates unused since before `cutoff` (performance.now() time). */
  sweep(cutoff: number): void {
    while (this.idle[0] && this.idle[0].lastUsedAt < cutoff) this.evictOldest();
  }

  /** Waiters blocked on the runtime-wide cap get a chance when room frees elsewhere. */
  grantFreedSlot(): void {
    if (this.waiters.length > 0 && this.tryReserve()) this.grantWaiter({ kind: 'cold' });
  }

  private grantWaiter(ticket: Ticket): void {
    this.waiters.grant(ticket);
    if (this.waiters.length === 0) this.capacity.waiting(this, false);
  }

  /** Idle isolates, for the runtime's eviction planning. */
  get idleCount(): number {
    return this.idle.length;
  }

  get hasWaiters(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Stops this pool taking new work: idle isolates go now, busy ones on release.
   * Waiters already queued are still served (they arrived while the version was live).
   */
  retire(): void {
    this.retired = true;
    while (this.evictOldest()) {
      // each call disposes one idle isolate
    }
  }

  /** Ends every waiter with a refusal and every isolate, busy or not. */
  dispose(): void {
    // Waiters first: freeing isolates below must not hand them new cold starts.
    this.shuttingDown = true;
    this.waiters.drain();
    this.capacity.waiting(this, false);
    this.retire();
    // Their calls settle as failures; release() then returns the capacity.
    for (const isolate of this.inUse) isolate.dispose();
  }

  stats(): PoolStats {
    return {
      function: this.fn.name,
      version: this.fn.version,
      size: this.size,
      busy: this.busy,
      idle: this.idle.length,
      waiting: this.waiters.length,
      max: this.fn.config.max_concurrency,
      ...this.counts,
    };
  }

  private tryReserve(): boolean {
    if (this.size >= this.fn.config.max_concurrency) return false;
    if (!this.capacity.reserve(this.fn.config.memory_mb, this)) return false;
    this.busy++;
    return true;
  }

  private throttle(why: string): Ticket {
    this.counts.throttles++;
    return {
      kind: 'throttled',
      message: `Too many concurrent invocations of ${this.fn.name}: ${why}`,
      retryAfterMs: 1000,
    };
  }
}
