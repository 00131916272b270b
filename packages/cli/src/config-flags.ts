import { CONFIG_LIMITS } from '@mini-lambda/core';
import { intFlag } from './args.ts';
import { usageError } from './cli-error.ts';

/** Flags that set a function's config, shared by `deploy` and `config`. */
export const CONFIG_OPTIONS = {
  'timeout-ms': { type: 'string' },
  'memory-mb': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'max-subrequests': { type: 'string' },
  // Two flags rather than parseArgs' allowNegative, which would also accept --no-json etc.
  public: { type: 'boolean' },
  'no-public': { type: 'boolean' },
} as const;

const { timeoutMs, memoryMb, maxConcurrency, maxSubrequests } = CONFIG_LIMITS;

export const CONFIG_OPTIONS_HELP = `  --timeout-ms N         Wall-clock limit per invocation (${timeoutMs.min}-${timeoutMs.max}, default ${timeoutMs.default})
  --memory-mb N          Memory limit per isolate (${memoryMb.min}-${memoryMb.max}, default ${memoryMb.default})
  --max-concurrency N    Isolates per instance (${maxConcurrency.min}-${maxConcurrency.max}, default ${maxConcurrency.default})
  --max-subrequests N    Outbound fetches per invocation (${maxSubrequests.min}-${maxSubrequests.max}, default ${maxSubrequests.default})
  --public               Open the HTTP trigger /fn/<name> to anyone, even when the server
                         has MINI_LAMBDA_INVOKE_KEY (a public webhook or site)
  --no-public            Make /fn/<name> ask for the invoke key again (the default)`;

/** The config flags' values as parseArgs gives them. */
export interface ConfigFlagValues {
  'timeout-ms'?: string;
  'memory-mb'?: string;
  'max-concurrency'?: string;
  'max-subrequests'?: string;
  public?: boolean;
  'no-public'?: boolean;
}

/** The config flags as API field names, validated against core's bounds. */
export function configFlags(values: ConfigFlagValues, command: string) {
  return {
    timeout_ms: intFlag('timeout-ms', values['timeout-ms'], timeoutMs, command),
    memory_mb: intFlag('memory-mb', values['memory-mb'], memoryMb, command),
    max_concurrency: intFlag('max-concurrency', values['max-concurrency'], maxConcurrency, command),
    max_subrequests: intFlag('max-subrequests', values['max-subrequests'], maxSubrequests, command),
    public: publicFlag(values, command),
  };
}

function publicFlag(values: ConfigFlagValues, command: string): boolean | undefined {
  if (values.public && values['no-public'])
    throw usageError('Give either --public or --no-public, not both', command);
  if (values.public) return true;
  if (values['no-public']) return false;
  return undefined;
}
