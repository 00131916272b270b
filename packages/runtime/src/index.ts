export {
  createInProcessRuntime,
  type InvokeOptions,
  type Runtime,
  type RuntimeDeps,
} from './runtime.ts';
export type { PoolStats, RuntimeHealth, RuntimeStats } from './stats.ts';
