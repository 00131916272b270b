import { MiniLambdaError } from '@mini-lambda/core';

/** Reads a bundle by sha256 from object storage; undefined when it is not there. */
export type BundleSource = (sha256: string) => Promise<string | undefined>;

/**
 * Bundles in memory, least recently used out first, bounded by bytes. A miss reads object
 * storage once however many cold starts ask at the same time; a failed read is not kept,
 * so the next cold start tries again.
 */
export class BundleCache {
  private readonly entries = new Map<string, { code: string; size: number }>();
  private readonly loading = new Map<string, Promise<string>>();
  private readonly source: BundleSource;
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(source: BundleSource, maxBytes: number) {
    this.source = source;
    this.maxBytes = maxBytes;
  }

  get(sha256: string): Promise<string> {
    const entry = this.entries.get(sha256);
    if (entry !== undefined) {
      this.entries.delete(sha256); // re-insert: Map order is the recency order
      this.entries.set(sha256, entry);
      return Promise.resolve(entry.code);
    }
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = this.fetch(sha256).finally(() => this.loading.delete(sha256));
      this.loading.set(sha256, pending);
    }
    return pending;
  }

  /** Keeps code this instance just stored, so its first cold start skips the read. */
  remember(sha256: string, code: string): void {
    if (this.entries.has(sha256)) return;
    const size = Buffer.byteLength(code);
    if (size > this.maxBytes) return;
    this.entries.set(sha256, { code, size });
    this.bytes += size;
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= old.size;
    }
  }

  get size(): { bundles: number; bytes: number } {
    return { bundles: this.entries.size, bytes: this.bytes };
  }

  private async fetch(sha256: string): Promise<string> {
    const code = await this.source(sha256);
    if (code === undefined) {
      throw new MiniLambdaError('InternalError', `Bundle ${sha256} is missing from object storage`);
    }
    this.remember(sha256, code);
    return code;
  }
}
