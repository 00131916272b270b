import { z } from 'zod';

const MB = 1024 * 1024;

/**
 * Bounds of one instance's runtime: caps on isolates, memory, CPU, queues and output,
 * every one given. Parsed limits travel in this shape (a sandbox gets them over argv).
 */
export const runtimeLimitsSchema = z
  .object({
    /**
     * How warm calls run. `async`: on isolated-vm's threads, this thread stays free (the
     * server's event loop). `sync`: on this thread, ≈ 8–10x cheaper per call but blocking
     * it while user code runs; only for a dedicated process a supervisor can kill.
     */
    execution: z.enum(['async', 'sync']),
    /** Isolates executing at once; isolated-vm gives each its own thread, unbounded. */
    maxExecuting: z.number().int().min(1).max(1024),
    /** Live isolates across all functions; past it the least recently used idle one goes. */
    maxIsolates: z.number().int().min(1).max(100_000),
    /** Sum of the live isolates' memory limits, in MB (limits, not usage: a safe bound). */
    maxTotalMemoryMb: z.number().int().min(16),
    /** Blank isolates (context + prelude) kept ready so a cold start skips creating one. */
    spareIsolates: z.number().int().min(0).max(64),
    /** Creating an isolate and running a module's top-level code (Lambda's init phase: 10 s). */
    initTimeoutMs: z.number().int().min(1).max(900_000),
    /** An isolate idle this long is disposed. */
    idleTtlMs: z.number().int().min(1).max(86_400_000),
    /** Waiters per function when all its isolates are busy; past it: throttled. */
    queueLimit: z.number().int().min(0).max(100_000),
    /** How long a waiter waits for an isolate before it is throttled. */
    queueTimeoutMs: z.number().int().min(1).max(900_000),
    /** Console output kept per invocation (newest characters win). */
    logLimit: z
      .number()
      .int()
      .min(64)
      .max(1024 * 1024),
    /** Largest result, in UTF-8 bytes (docs/api.md: 6 MB). */
    maxResultBytes: z.number().int().min(1),
  })
  .strict();

/** Complete, checked runtime limits: what the runtimes take. */
export type RuntimeLimits = z.infer<typeof runtimeLimitsSchema>;

/** Some of the bounds, each checked as given; the others come from defaults. */
export const runtimeLimitsInputSchema = runtimeLimitsSchema.partial();

/** Runtime limits as a caller gives them: any bound may be left out. */
export type RuntimeLimitsInput = z.input<typeof runtimeLimitsInputSchema>;

/** How warm calls run; see `execution` in the schema. */
export type Execution = RuntimeLimits['execution'];

/** What a machine offers; the bounds that scale with it default from these. */
export interface MachineResources {
  /** CPUs this process may use (`os.availableParallelism()`). */
  cores: number;
  /** Physical memory, in MB. */
  totalMemoryMb: number;
}

/**
 * The limits a runtime gets when none are given. Pure: whoever may do I/O reads the
 * machine; the default `execution` depends on where the isolates run.
 */
export function defaultRuntimeLimits(
  machine: MachineResources,
  execution: Execution,
): RuntimeLimits {
  return {
    execution,
    maxExecuting: Math.max(2, machine.cores),
    maxIsolates: 256,
    maxTotalMemoryMb: Math.floor(machine.totalMemoryMb / 2),
    spareIsolates: 2,
    initTimeoutMs: 10_000,
    idleTtlMs: 300_000,
    queueLimit: 100,
    queueTimeoutMs: 3_000,
    logLimit: 4096,
    maxResultBytes: 6 * MB,
  };
}

/**
 * Already checked `given` bounds over `defaults`; a bound left out or undefined keeps its
 * default (as a zod `.default()` would). Checks nothing itself.
 */
export function fillRuntimeLimits(
  given: RuntimeLimitsInput,
  defaults: RuntimeLimits,
): RuntimeLimits {
  const filled: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) filled[key] = value;
  return filled as RuntimeLimits;
}
