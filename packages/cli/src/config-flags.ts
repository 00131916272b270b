import { CONFIG_LIMITS } from '@mini-lambda/core';
import { intFlag } from './args.ts';

/** Flags that set a function's config, shared by `deploy` and `config`. */
export const CONFIG_OPTIONS = {
  'timeout-ms': { type: 'string' },
  'memory-mb': { type: 'string' },
  'max-concurrency': { type: 'string' },
} as const;

export const CONFIG_OPTIONS_HELP = `  --timeout-ms N         Wall-clock limit per invocation (${CONFIG_LIMITS.timeoutMs.min}-${CONFIG_LIMITS.timeoutMs.max}, default ${CONFIG_LIMITS.timeoutMs.default})
  --memory-mb N          Memory limit per isolate (${CONFIG_LIMITS.memoryMb.min}-${CONFIG_LIMITS.memoryMb.max}, default ${CONFIG_LIMITS.memoryMb.default})
  --max-concurrency N    Isolates per instance (${CONFIG_LIMITS.maxConcurrency.min}-${CONFIG_LIMITS.maxConcurrency.max}, default ${CONFIG_LIMITS.maxConcurrency.default})`;

/** The config flags as API field names, validated against core's bounds. */
export function configFlags(
  values: { 'timeout-ms'?: string; 'memory-mb'?: string; 'max-concurrency'?: string },
  command: string,
) {
  return {
    timeout_ms: intFlag('timeout-ms', values['timeout-ms'], CONFIG_LIMITS.timeoutMs, command),
    memory_mb: intFlag('memory-mb', values['memory-mb'], CONFIG_LIMITS.memoryMb, command),
    max_concurrency: intFlag(
      'max-concurrency',
      values['max-concurrency'],
      CONFIG_LIMITS.maxConcurrency,
      command,
    ),
  };
}
