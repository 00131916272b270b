import type { EgressConfig } from '@mini-lambda/core';
import { hostKey } from './address-policy.ts';
import { EgressRefusedError } from './errors.ts';

/**
 * Whether `pattern` from a function's `egress` list matches a URL host: exactly, or
 * `*.example.com` for any name below example.com (not example.com itself).
 */
export function matchesHostPattern(pattern: string, host: string): boolean {
  const name = hostKey(host);
  if (!pattern.startsWith('*.')) return name === pattern;
  const suffix = pattern.slice(1); // ".example.com"
  return name.length > suffix.length && name.endsWith(suffix);
}

/**
 * The function's own half of the policy, decided on the URL host before any lookup:
 * `"none"` refuses everything, a list refuses hosts it does not match. Addresses are
 * still checked afterwards; a listed host gets no exception for non-public addresses.
 */
export function checkFunctionEgress(egress: EgressConfig, host: string): void {
  if (egress === 'public') return;
  if (egress === 'none') {
    throw new EgressRefusedError('egress_none', 'this function\'s egress is "none"');
  }
  if (egress.some((pattern) => matchesHostPattern(pattern, host))) return;
  throw new EgressRefusedError('host_not_listed', `${host} is not in this function's egress list`);
}
