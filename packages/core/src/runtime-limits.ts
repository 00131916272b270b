import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';

const MB = 1024 * 1024;

/** Bounds of one instance's runtime: caps on isolates, memory, CPU, queues and output. */
export const runtimeLimitsSchema = z
  .object({
    /**
     * How warm calls run. `async`: on isolated-vm's threads, this thread stays free (the
     * server's event loop). `sync`: on this thread, ≈ 8–10x cheaper per call but blocking
     * it while user code runs; only for a dedicated process a supervisor can kill.
     */
    execution: z.enum(['async', 'sync']).default('async'),
    /** Isolates executing at once; isolated-vm gives each its own thread, unbounded. */
    maxExecuting: z.number().int().min(1).max(1024).default(Math.max(2, availableParallelism())),
    /** Live isolates across all functions; past it the least recently used idle one goes. */
    maxIsolates: z.number().int().min(1).max(100_000).default(256),
    /** Sum of the live isolates' memory limits, in MB (limits, not usage: a safe bound). */
    maxTotalMemoryMb: z
      .number()
      .int()
      .min(16)
      .default(Math.floor(totalmem() / MB / 2)),
    /** Blank isolates (context + prelude) kept ready so a cold start skips creating one. */
    spareIsolates: z.number().int().min(0).max(64).default(2),
    /** Creating an isolate and running a module's top-level code (Lambda's init phase: 10 s). */
    initTimeoutMs: z.number().int().min(1).max(900_000).default(10_000),
    /** An isolate idle this long is disposed. */
    idleTtlMs: z.number().int().min(1).max(86_400_000).default(300_000),
    /** Waiters per function when all its isolates are busy; past it: throttled. */
    queueLimit: z.number().int().min(0).max(100_000).default(100),
    /** How long a waiter waits for an isolate before it is throttled. */
    queueTimeoutMs: z.number().int().min(1).max(900_000).default(3_000),
    /** Console output kept per invocation (newest characters win). */
    logLimit: z
      .number()
      .int()
      .min(64)
      .max(1024 * 1024)
      .default(4096),
    /** Largest result, in UTF-8 bytes (API.md: 6 MB). */
    maxResultBytes: z
      .number()
      .int()
      .min(1)
      .default(6 * MB),
  })
  .strict();

export type RuntimeLimits = z.infer<typeof runtimeLimitsSchema>;
export type RuntimeLimitsInput = z.input<typeof runtimeLimitsSchema>;

/** Fills defaults and checks bounds; throws a ZodError naming the bad field. */
export function parseRuntimeLimits(input: RuntimeLimitsInput = {}): RuntimeLimits {
  return runtimeLimitsSchema.parse(input);
}
