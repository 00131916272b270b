import { createHash } from 'node:crypto';
import { MiniLambdaError } from '@mini-lambda/core';
import type { ObjectStore } from './object-store.ts';

const SHA256 = /^[0-9a-f]{64}$/;

/** Bundles by content: `bundles/<sha256>.js`, written once, checked on every read. */
export class BundleStore {
  private readonly objects: ObjectStore;

  constructor(objects: ObjectStore) {
    this.objects = objects;
  }

  static keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new MiniLambdaError('InternalError', `Not a sha256: ${sha256}`);
    return `bundles/${sha256}.js`;
  }

  /**
   * Stores `code` under its hash and returns the hash. Written every time, not skipped
   * when the key exists: the same bytes make it idempotent, and a redeploy repairs an
   * object that was corrupted in storage.
   */
  async put(code: string): Promise<string> {
    const body = Buffer.from(code);
    const sha256 = createHash('sha256').update(body).digest('hex');
    await this.objects.put(BundleStore.keyOf(sha256), body);
    return sha256;
  }

  /** The bundle's code; undefined when missing; an error when the bytes do not match the hash. */
  async get(sha256: string): Promise<string | undefined> {
    const body = await this.objects.get(BundleStore.keyOf(sha256));
    if (body === undefined) return undefined;
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== sha256) {
      throw new MiniLambdaError(
        'InternalError',
        `Bundle ${sha256} is corrupt in storage (its bytes hash to ${actual})`,
      );
    }
    return body.toString('utf8');
  }

  delete(sha256: string): Promise<void> {
    return this.objects.delete(BundleStore.keyOf(sha256));
  }
}
