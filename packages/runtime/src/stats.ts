/** One pool's numbers, in the shape of docs/api.md's `/stats/pools`. */
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
    /** Cold starts that took a spare, since the start. */
    spares_taken: number;
    /** Sum of the live isolates' memory limits. */
    reserved_memory_mb: number;
  };
  pools: PoolStats[];
  /** With sandbox processes: one entry per sandbox slot. */
  sandboxes?: SandboxInfo[];
}

/** One sandbox process, for /stats/pools and /health. */
export interface SandboxInfo {
  slot: number;
  pid: number;
  state: 'starting' | 'ready' | 'dead';
  rss_mb: number;
  isolates: number;
  in_flight: number;
  /** How many times this slot's process was replaced. */
  restarts: number;
  uptime_s: number;
}

/** Whether the runtime can still be trusted to serve. */
export interface RuntimeHealth {
  ok: boolean;
  /** Set after V8 lost control of an isolate; the process should be replaced. */
  catastrophicError?: string;
  sandboxes?: SandboxInfo[];
}
