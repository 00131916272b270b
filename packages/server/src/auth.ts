import { createHash, timingSafeEqual } from 'node:crypto';
import { MiniLambdaError } from '@mini-lambda/core';
import type { MiddlewareHandler } from 'hono';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Requires `Authorization: Bearer <key>` with one of `keys`: missing → 401, wrong → 403.
 * Keys are compared as SHA-256 digests with timingSafeEqual, so neither the key's length
 * nor its prefix leaks through timing. With no keys the middleware lets everything pass.
 */
export function bearerAuth(keys: readonly string[]): MiddlewareHandler {
  const expected = keys.map(digest);
  return async function requireKey(c, next) {
    if (expected.length === 0) return next();
    const header = c.req.header('authorization');
    const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new MiniLambdaError(
        'Unauthorized',
        'Send the API key as "Authorization: Bearer <key>"',
      );
    }
    const given = digest(match[1] as string);
    let ok = false;
    for (const key of expected) ok = timingSafeEqual(given, key) || ok;
    if (!ok) throw new MiniLambdaError('Forbidden', 'The API key is not valid');
    return next();
  };
}
