/** One pool's numbers, in the shape of API.md's `/stats/pools`. */
export interface PoolStats {
  function: string;
  version: number;
  size: number;
  busy: number;
  idle: number;
  waiting: number;
  max: number;
  invocations: number;
  cold_starts: number;
  errors: number;
  timeouts: number;
  throttles: number;
  evictions: number;
}

export interface RuntimeStats {
  totals: {
    isolates: number;
    busy: number;
    idle: number;
    waiting: number;
    /** Calls holding a CPU slot, and calls waiting for one. */
    executing: number;
    waiting_for_cpu: number;
    /** Blank isolates ready for the next cold start (not counted in `isolates`). */
    spares: number;
    /** Sum of the live isolates' memory limits. */
    reserved_memory_mb: number;
  };
  pools: PoolStats[];
}

/** Whether the runtime can still be trusted to serve. */
export interface RuntimeHealth {
  ok: boolean;
  /** Set after V8 lost control of an isolate; the process should be replaced. */
  catastrophicError?: string;
}
