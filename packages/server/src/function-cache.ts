import type { FunctionVersion } from '@mini-lambda/core';

/** What the cache reads through to: the registry's version lookup. */
export type VersionSource = (
  name: string,
  version?: number,
) => Promise<FunctionVersion | undefined>;

interface Entry {
  name: string;
  /** Settled value; absent while the load is in flight. */
  value?: FunctionVersion | null;
  pending: Promise<FunctionVersion | undefined>;
  /** For misses only: a miss is believed this long, in case a notification is lost. */
  expiresAt?: number;
}

export interface FunctionCacheOptions {
  /** (name, version) entries kept, least recently used out first. */
  maxEntries?: number;
  missTtlMs?: number;
}

/**
 * Function records in memory, so a warm invoke does no SQL. Loads are single-flight per
 * (name, version). Entries live until `invalidate(name)` or `clear()`; a load overtaken by
 * an invalidation is returned to its caller but not kept. Bounded as a whole, least
 * recently used first, so made-up names or versions cannot push it past its size or evict
 * the hot functions first. When to invalidate is the function directory's business.
 */
export class FunctionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly source: VersionSource;
  private readonly maxEntries: number;
  private readonly missTtlMs: number;

  constructor(source: VersionSource, options: FunctionCacheOptions = {}) {
    this.source = source;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.missTtlMs = options.missTtlMs ?? 1_000;
  }

  /** The version (latest when omitted): the cached value, or a promise of the load. */
  get(
    name: string,
    version?: number,
  ): FunctionVersion | undefined | Promise<FunctionVersion | undefined> {
    const key = version === undefined ? name : `${name}@${version}`;
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.value === undefined) return entry.pending;
      if (entry.value !== null) {
        this.entries.delete(key); // re-insert: Map order is the recency order
        this.entries.set(key, entry);
        return entry.value;
      }
      if ((entry.expiresAt ?? 0) > performance.now()) return undefined;
    }
    return this.load(key, name, version);
  }

  /**
   * A version this instance has just written, kept so its first invoke reads no row:
   * as itself, and as the latest. Only for a version known to be the latest.
   */
  seed(fn: FunctionVersion): void {
    for (const key of [fn.name, `${fn.name}@${fn.version}`]) {
      if (this.entries.has(key)) continue; // a load in flight or a value: it stays
      if (this.entries.size >= this.maxEntries) this.evictOldest();
      this.entries.set(key, { name: fn.name, value: fn, pending: Promise.resolve(fn) });
    }
  }

  /**
   * Drops the entries of `name`, loads in flight and misses included; `keep` may spare
   * settled records that are known to be still right.
   */
  invalidate(name: string, keep?: (fn: FunctionVersion) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (entry.name !== name) continue;
      if (keep && entry.value && keep(entry.value)) continue;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private load(key: string, name: string, version?: number) {
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    const entry: Entry = { name, pending: this.source(name, version) };
    this.entries.set(key, entry);
    const current = () => this.entries.get(key) === entry;
    entry.pending.then(
      (fn) => {
        if (!current()) return;
        entry.value = fn ?? null;
        if (!fn) entry.expiresAt = performance.now() + this.missTtlMs;
      },
      () => {
        if (current()) this.entries.delete(key); // failures are not cached
      },
    );
    return entry.pending;
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next().value;
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}
