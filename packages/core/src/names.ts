import { MiniLambdaError } from './errors.ts';

/** docs/api.md: lowercase letter first, then up to 62 of [a-z0-9-]. */
export const FUNCTION_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export function isValidFunctionName(name: unknown): name is string {
  return typeof name === 'string' && FUNCTION_NAME_PATTERN.test(name);
}

/** Returns the name unchanged, or throws `InvalidName` (covers `..`, encodings, unicode, empty). */
export function parseFunctionName(name: unknown): string {
  if (isValidFunctionName(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name;
  throw new MiniLambdaError(
    'InvalidName',
    `Function name ${shown} is invalid: use 1-63 characters of a-z, 0-9 and '-', starting with a letter`,
  );
}

/** `404 FunctionNotFound` for a function, or for one version of it. */
export function functionNotFound(name: string, version?: number): MiniLambdaError {
  const what =
    version === undefined ? `Function ${name}` : `Version ${version} of function ${name}`;
  return new MiniLambdaError('FunctionNotFound', `${what} does not exist`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can be an invocation id (a UUID, as we make them and as PostgreSQL's uuid
 * type takes them): anything else matches no stored row, and is looked up by no query.
 */
export function isInvocationId(id: string): boolean {
  return UUID.test(id);
}
