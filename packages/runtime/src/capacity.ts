import type { Capacity, Pool } from './pool.ts';

export interface CapacityLimits {
  maxIsolates: number;
  maxTotalMemoryMb: number;
}

/**
 * The instance-wide budget of isolates and memory limits. At the cap, room is made by
 * evicting the least recently used idle isolates of other pools, but only when that
 * would make enough room: a request that cannot fit anyway evicts nothing.
 */
export class GlobalCapacity implements Capacity {
  isolates = 0;
  reservedMb = 0;
  private evicting = false;
  private closed = false;
  private readonly waitingPools = new Set<Pool>();
  private readonly limits: CapacityLimits;
  private readonly pools: () => Iterable<Pool>;

  constructor(limits: CapacityLimits, pools: () => Iterable<Pool>) {
    this.limits = limits;
    this.pools = pools;
  }

  couldFit(memoryMb: number): boolean {
    return memoryMb <= this.limits.maxTotalMemoryMb;
  }

  reserve(memoryMb: number, requester: Pool): boolean {
    if (this.closed || !this.couldFit(memoryMb)) return false;
    if (this.over(memoryMb)) {
      if (!this.evictionWouldFit(memoryMb, requester)) return false;
      this.evicting = true;
      try {
        while (this.over(memoryMb) && this.evictLeastRecentlyUsed(requester)) {
          // each round disposes one idle isolate of another pool
        }
      } finally {
        this.evicting = false;
      }
      if (this.over(memoryMb)) return false;
    }
    this.isolates++;
    this.reservedMb += memoryMb;
    return true;
  }

  free(memoryMb: number): void {
    this.isolates--;
    this.reservedMb -= memoryMb;
    // While evicting, the room is for the pool that is evicting.
    if (!this.evicting) this.offerRoom(undefined);
  }

  idled(pool: Pool): void {
    if (!this.evicting) this.offerRoom(pool);
  }

  waiting(pool: Pool, hasWaiters: boolean): void {
    if (hasWaiters) this.waitingPools.add(pool);
    else this.waitingPools.delete(pool);
  }

  /** No more reservations: the runtime is shutting down. */
  close(): void {
    this.closed = true;
    this.waitingPools.clear();
  }

  /** Pools whose waiters may be blocked on the cap get a chance at the room. */
  private offerRoom(except: Pool | undefined): void {
    if (this.closed || this.waitingPools.size === 0) return;
    for (const pool of [...this.waitingPools]) if (pool !== except) pool.grantFreedSlot();
  }

  private over(memoryMb: number): boolean {
    return (
      this.isolates + 1 > this.limits.maxIsolates ||
      this.reservedMb + memoryMb > this.limits.maxTotalMemoryMb
    );
  }

  private evictionWouldFit(memoryMb: number, requester: Pool): boolean {
    let isolates = 0;
    let mb = 0;
    for (const pool of this.pools()) {
      if (pool === requester) continue;
      isolates += pool.idleCount;
      mb += pool.idleCount * pool.fn.config.memory_mb;
    }
    const needIsolates = this.isolates + 1 - this.limits.maxIsolates;
    const needMb = this.reservedMb + memoryMb - this.limits.maxTotalMemoryMb;
    return isolates >= needIsolates && mb >= needMb;
  }

  private evictLeastRecentlyUsed(requester: Pool): boolean {
    let victim: Pool | undefined;
    let victimAt = Number.POSITIVE_INFINITY;
    for (const pool of this.pools()) {
      const at = pool.oldestIdleAt;
      if (pool !== requester && at !== undefined && at < victimAt) {
        victim = pool;
        victimAt = at;
      }
    }
    return victim?.evictOldest() ?? false;
  }
}
