import {
  CONFIG_LIMITS,
  type EgressConfig,
  MiniLambdaError,
  parseFunctionConfigPatch,
} from '@mini-lambda/core';
import { usageError } from './cli-error.ts';

/**
 * Turns `--egress public|none|HOST,HOST…` into the config's `egress`: the two keywords as
 * they are, anything else a list of host patterns. Hosts are lower-cased (DNS names ignore
 * case; core's schema takes lower case only) and checked with core's schema, so a bad
 * pattern fails before any request with the server's own words.
 */
export function parseEgressFlag(value: string, command = 'config'): EgressConfig {
  const trimmed = value.trim();
  if (trimmed === 'public' || trimmed === 'none') return trimmed;
  const hosts = trimmed.split(',').map((host) => host.trim().toLowerCase());
  if (hosts.some((host) => host === ''))
    throw usageError(
      `--egress expects public, none or a comma list of host patterns (got ${JSON.stringify(value)})`,
      command,
    );
  // Core's union reports an over-long list only as "Invalid input": say it here.
  if (hosts.length > CONFIG_LIMITS.egressHosts)
    throw usageError(
      `--egress lists at most ${CONFIG_LIMITS.egressHosts} host patterns (got ${hosts.length})`,
      command,
    );
  try {
    parseFunctionConfigPatch({ egress: hosts });
  } catch (err) {
    if (!(err instanceof MiniLambdaError)) throw err;
    throw usageError(`--egress ${egressIssue(err, hosts)}`, command);
  }
  return hosts;
}

/** `"https://x.com": a host pattern is …`: core's message, naming the pattern it is about. */
function egressIssue(err: MiniLambdaError, hosts: readonly string[]): string {
  const issues = err.details.issues as { path: string; message: string }[] | undefined;
  const first = issues?.[0];
  if (!first) return err.message;
  const index = /^egress\.(\d+)$/.exec(first.path)?.[1];
  const host = index === undefined ? undefined : hosts[Number(index)];
  return host === undefined ? first.message : `${JSON.stringify(host)}: ${first.message}`;
}
