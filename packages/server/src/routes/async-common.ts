import { functionNotFound } from '@mini-lambda/core';
import type { Registry } from '@mini-lambda/store';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { jsonSplicer } from '../async/json-text.ts';

/**
 * Throws 404 FunctionNotFound unless `name` exists. Called when a lookup found nothing,
 * so that an unknown function and an unknown id under a known one answer differently.
 */
export async function requireFunction(registry: Pick<Registry, 'version'>, name: string) {
  const fn = await registry.version(name);
  if (!fn) throw functionNotFound(name);
  return fn;
}

/**
 * A JSON response holding stored JSON texts as they are: put `splicer.raw(text)` where a
 * stored event or result goes. Parsing and serialising them again would change big numbers
 * (12345678901234567890) and throw on deep nesting, making the whole answer a 500.
 */
export function splicedJson(
  c: Context,
  build: (raw: (text: string | null | undefined) => unknown) => unknown,
  status: ContentfulStatusCode = 200,
): Response {
  const splicer = jsonSplicer();
  const value = build((text) => (text === null || text === undefined ? null : splicer.raw(text)));
  return c.body(splicer.stringify(value), status, { 'Content-Type': 'application/json' });
}
