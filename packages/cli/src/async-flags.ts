import { ASYNC_LIMITS, type AsyncConfig } from '@mini-lambda/core';
import { functionNameArg, intFlag } from './args.ts';
import { usageError } from './cli-error.ts';

/** Flags of `config` that change the async config. */
export const ASYNC_OPTIONS = {
  'max-retries': { type: 'string' },
  'retry-delay-ms': { type: 'string' },
  'max-event-age-s': { type: 'string' },
  'on-success': { type: 'string' },
  'on-failure': { type: 'string' },
  'no-on-success': { type: 'boolean' },
  'no-on-failure': { type: 'boolean' },
} as const;

const { maxRetries, retryDelayMs, maxEventAgeS } = ASYNC_LIMITS;

export const ASYNC_OPTIONS_HELP = `Asynchronous invocations (invoke --async, schedules); each flag changes one setting
and keeps the others:
  --max-retries N        Retries after a failed attempt (${maxRetries.min}-${maxRetries.max}, default ${maxRetries.default})
  --retry-delay-ms N     Wait before the first retry; the second waits twice as long
                         (${retryDelayMs.min}-${retryDelayMs.max}, default ${retryDelayMs.default})
  --max-event-age-s N    Events older than this are not run (${maxEventAgeS.min}-${maxEventAgeS.max}, default ${maxEventAgeS.default})
  --on-success FN        Invoke function FN with Lambda's destination record after a success
  --on-failure FN        ... after the last attempt failed or the event aged out (else the
                         event becomes a dead letter)
  --no-on-success, --no-on-failure
                         Remove that destination`;

export interface AsyncFlagValues {
  'max-retries'?: string;
  'retry-delay-ms'?: string;
  'max-event-age-s'?: string;
  'on-success'?: string;
  'on-failure'?: string;
  'no-on-success'?: boolean;
  'no-on-failure'?: boolean;
}

/** True when any async flag was given. */
export function hasAsyncFlags(values: AsyncFlagValues): boolean {
  return Object.keys(ASYNC_OPTIONS).some(
    (flag) => values[flag as keyof AsyncFlagValues] !== undefined,
  );
}

/**
 * The async config with the flags applied to `current`. The server replaces the whole async
 * object on PATCH, so the CLI sends every field: what the flags do not name stays as it was.
 */
export function applyAsyncFlags(
  current: Partial<AsyncConfig>,
  values: AsyncFlagValues,
  command: string,
): Partial<AsyncConfig> {
  const next: Partial<AsyncConfig> = { ...current };
  const set = <K extends keyof AsyncConfig>(key: K, value: AsyncConfig[K] | undefined) => {
    if (value !== undefined) next[key] = value;
  };
  set('max_retries', intFlag('max-retries', values['max-retries'], maxRetries, command));
  set('retry_delay_ms', intFlag('retry-delay-ms', values['retry-delay-ms'], retryDelayMs, command));
  set(
    'max_event_age_s',
    intFlag('max-event-age-s', values['max-event-age-s'], maxEventAgeS, command),
  );
  for (const key of ['on_success', 'on_failure'] as const) {
    const flag = key.replace('_', '-') as 'on-success' | 'on-failure';
    const name = values[flag];
    if (name !== undefined && values[`no-${flag}`])
      throw usageError(`Give either --${flag} or --no-${flag}, not both`, command);
    if (name !== undefined) next[key] = functionNameArg(name, command);
    if (values[`no-${flag}`]) delete next[key];
  }
  return next;
}
