export {
  DEFAULT_EXECUTION,
  defaultSandboxes,
  machineDefaults,
  machineResources,
  runtimeLimits,
} from './limits.ts';
export {
  createInProcessRuntime,
  type InvokeOptions,
  type OutboundFetch,
  type Runtime,
  type RuntimeDeps,
} from './runtime.ts';
export type { SandboxExitReason } from './sandbox-process/sandbox-handle.ts';
export {
  createSandboxedRuntime,
  type SandboxedRuntimeDeps,
  type SandboxOptions,
} from './sandbox-process/sandboxed-runtime.ts';
export type { PoolStats, RuntimeHealth, RuntimeStats, SandboxInfo } from './stats.ts';
