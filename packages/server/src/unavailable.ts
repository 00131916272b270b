/** Socket-level failures: the other side is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // postgres.js
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * Whether `err` says a dependency (PostgreSQL, object storage) could not be reached, as
 * opposed to a bug or bad data: the first is 503 ServiceUnavailable, the second 500.
 * SQLSTATE classes 08 (connection), 53 (insufficient resources) and 57P (shutdown,
 * cannot connect now) count as unreachable.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    if (typeof e !== 'object') return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code)) return true;
      if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code)) return true;
    }
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      return (e as { errors: unknown[] }).errors.some(isUnavailable); // AggregateError from net
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
