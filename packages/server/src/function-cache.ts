import type { FunctionVersion } from '@mini-lambda/core';

/** What the cache reads through to: the registry's version lookup. */
export type VersionSource = (
  name: string,
  version?: number,
) => Promise<FunctionVersion | undefined>;

interface Entry {
  /** Settled value; absent while the load is in flight. */
  value?: FunctionVersion | null;
  pending: Promise<FunctionVersion | undefined>;
  /** For misses only: a miss is believed this long, in case a notification is lost. */
  expiresAt?: number;
}

export interface FunctionCacheOptions {
  /** Names kept; past it the oldest name is dropped (hostile 404 traffic stays bounded). */
  maxNames?: number;
  missTtlMs?: number;
}

/**
 * Function records in memory, so a warm invoke does no SQL. Loads are single-flight per
 * (name, version). Entries live until `invalidate(name)` (a deploy, patch or delete seen
 * through notifications or done here) or `clear()` (after a notification gap); a load
 * that was overtaken by an invalidation is returned to its caller but not kept.
 */
export class FunctionCache {
  private readonly names = new Map<string, Map<number | 'latest', Entry>>();
  private readonly source: VersionSource;
  private readonly maxNames: number;
  private readonly missTtlMs: number;

  constructor(source: VersionSource, options: FunctionCacheOptions = {}) {
    this.source = source;
    this.maxNames = options.maxNames ?? 10_000;
    this.missTtlMs = options.missTtlMs ?? 1_000;
  }

  /** The version (latest when omitted): the cached value, or a promise of the load. */
  get(
    name: string,
    version?: number,
  ): FunctionVersion | undefined | Promise<FunctionVersion | undefined> {
    const key = version ?? 'latest';
    const entry = this.names.get(name)?.get(key);
    if (entry) {
      if (entry.value === undefined) return entry.pending;
      if (entry.value !== null) return entry.value;
      if ((entry.expiresAt ?? 0) > performance.now()) return undefined;
    }
    return this.load(name, key, version);
  }

  invalidate(name: string): void {
    this.names.delete(name);
  }

  clear(): void {
    this.names.clear();
  }

  private load(name: string, key: number | 'latest', version?: number) {
    let versions = this.names.get(name);
    if (!versions) {
      if (this.names.size >= this.maxNames) {
        const oldest = this.names.keys().next().value;
        if (oldest !== undefined) this.names.delete(oldest);
      }
      versions = new Map();
      this.names.set(name, versions);
    }
    const owner = versions;
    const entry: Entry = { pending: this.source(name, version) };
    owner.set(key, entry);
    const current = () => this.names.get(name) === owner && owner.get(key) === entry;
    entry.pending.then(
      (fn) => {
        if (!current()) return;
        entry.value = fn ?? null;
        if (!fn) entry.expiresAt = performance.now() + this.missTtlMs;
      },
      () => {
        if (current()) owner.delete(key); // failures are not cached
      },
    );
    return entry.pending;
  }
}
