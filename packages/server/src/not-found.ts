import { MiniLambdaError } from '@mini-lambda/core';

/** `404 FunctionNotFound` for a function, or for one version of it. */
export function functionNotFound(name: string, version?: number): MiniLambdaError {
  const what =
    version === undefined ? `Function ${name}` : `Version ${version} of function ${name}`;
  return new MiniLambdaError('FunctionNotFound', `${what} does not exist`);
}
