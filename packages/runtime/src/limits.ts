import { availableParallelism, totalmem } from 'node:os';
import {
  defaultRuntimeLimits,
  type Execution,
  fillRuntimeLimits,
  type MachineResources,
  type RuntimeLimits,
  type RuntimeLimitsInput,
  runtimeLimitsInputSchema,
} from '@mini-lambda/core';

/**
 * How warm calls run unless told. In this process: async, so the event loop stays free.
 * In a sandbox: sync, since a sandbox is a process the supervisor can kill, and a warm
 * call on its own thread costs a fraction of a hop to an isolate thread (bench/sandbox).
 */
export const DEFAULT_EXECUTION = {
  inProcess: 'async',
  sandboxed: 'sync',
} as const satisfies Record<string, Execution>;

/** This machine's cores and memory, read now. */
export function machineResources(): MachineResources {
  return { cores: availableParallelism(), totalMemoryMb: Math.floor(totalmem() / 1024 / 1024) };
}

/** Sandbox processes unless told: one per core, so CPU-bound functions spread over all of them. */
export function defaultSandboxes(): number {
  return Math.max(1, machineResources().cores);
}

/** The default limits on this machine for warm calls run as `execution`. */
export function machineDefaults(execution: Execution = DEFAULT_EXECUTION.inProcess): RuntimeLimits {
  return defaultRuntimeLimits(machineResources(), execution);
}

/**
 * Parses limits once, at a caller's edge (tests, benchmarks): the given bounds are
 * checked (a ZodError names a bad one), the rest are this machine's defaults.
 */
export function runtimeLimits(
  given: RuntimeLimitsInput = {},
  execution: Execution = DEFAULT_EXECUTION.inProcess,
): RuntimeLimits {
  return fillRuntimeLimits(runtimeLimitsInputSchema.parse(given), machineDefaults(execution));
}
