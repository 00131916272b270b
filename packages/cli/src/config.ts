import { z } from 'zod';
import { usageError } from './cli-error.ts';

/** Where `make dev` listens. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The environment as the CLI sees it; passed in so tests give their own. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** Where to send requests and with which keys. */
export interface CliConfig {
  /** Base URL without a trailing slash. */
  url: string;
  /** Sent on management routes; undefined sends no Authorization header. */
  apiKey: string | undefined;
  /** Sent on invoke: MINI_LAMBDA_INVOKE_KEY when the server has one, else the API key. */
  invokeKey: string | undefined;
}

const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * The one place the CLI reads its environment: flags win over MINI_LAMBDA_URL and
 * MINI_LAMBDA_API_KEY; empty values count as unset (an `export X=` left in a shell).
 */
export function resolveCliConfig(
  flags: { url?: string | undefined; apiKey?: string | undefined },
  env: CliEnv,
): CliConfig {
  const fromFlag = flags.url !== undefined;
  const raw = nonEmpty(flags.url) ?? nonEmpty(env.MINI_LAMBDA_URL) ?? DEFAULT_URL;
  const parsed = httpUrl.safeParse(raw);
  if (!parsed.success) {
    const source = fromFlag ? '--url' : 'MINI_LAMBDA_URL';
    throw usageError(`${source} must be an http:// or https:// URL (got ${JSON.stringify(raw)})`);
  }
  const apiKey = nonEmpty(flags.apiKey) ?? nonEmpty(env.MINI_LAMBDA_API_KEY);
  return {
    url: parsed.data.replace(/\/+$/, ''),
    apiKey,
    invokeKey: nonEmpty(env.MINI_LAMBDA_INVOKE_KEY) ?? apiKey,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
