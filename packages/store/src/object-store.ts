import { MiniLambdaError } from '@mini-lambda/core';

/** Key-value object storage: the one interface bundles are kept behind. */
export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
  /** The object, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  has(key: string): Promise<boolean>;
  /** Removes the object; no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached (for /health). */
  check(): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Object keys are ours (`bundles/<sha256>.js`), but still checked: no `..`, no absolute paths. */
export function assertKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new MiniLambdaError('InternalError', `Invalid object key ${JSON.stringify(key)}`);
  }
  return key;
}
