import type { FunctionVersion } from '@mini-lambda/core';
import type { FunctionChange } from '@mini-lambda/store';
import { FunctionCache, type FunctionCacheOptions, type VersionSource } from './function-cache.ts';
import { createChangeClock } from './function-directory-clock.ts';

/** What the directory reads and acts on; plain functions, wired in `server.ts`. */
export interface FunctionDirectoryDeps {
  /** The registry's version lookup (the latest when `version` is omitted). */
  load: VersionSource;
  /** The names of the functions that exist now (the registry's list). */
  existing: () => Promise<Iterable<string>>;
  /** The names of the functions this instance holds isolate pools for. */
  pooled: () => Promise<Iterable<string>>;
  /** A function is gone: its pools and its metrics go with it. */
  retire: (name: string) => void;
  /** A resync could not find out which functions are gone. */
  onResyncFailed?: (err: unknown) => void;
}

/** Name (+version) → record, in memory, and the rules that keep those records right. */
export interface FunctionDirectory {
  /** A version (the latest when omitted): the record when warm, no await; else its load. */
  get(
    name: string,
    version?: number,
  ): FunctionVersion | undefined | Promise<FunctionVersion | undefined>;
  /** A mark for `deployed` and `called`: a change after it happened "meanwhile". */
  stamp(): number;
  /**
   * This instance wrote `fn`, having started to write at `since`. Its record is kept as
   * the latest unless something else changed the function meanwhile.
   */
  deployed(fn: FunctionVersion, since: number): void;
  /** A change made here, or announced by the registry (NOTIFY). */
  changed(change: FunctionChange): void;
  /**
   * A call of `name` that looked its record up at `since` has ended. If the function
   * changed meanwhile it may have been deleted while the call set up a pool: check, so
   * that no pool outlives a delete.
   */
  called(name: string, since: number): void;
  /** After a notification gap: forgets every record, retires the pools of functions gone. */
  resync(): Promise<void>;
}

/**
 * The function directory. A deploy announced with its version keeps records already at
 * that version or newer (the writer's own echo keeps what it seeded); a patch drops the
 * function's records; a delete drops them and retires its pools; a change of unknown kind
 * (a bare name from an older writer) drops them and reads the latest to find out whether
 * the function is gone.
 */
export function createFunctionDirectory(
  deps: FunctionDirectoryDeps,
  options: FunctionCacheOptions = {},
): FunctionDirectory {
  const cache = new FunctionCache(deps.load, options);
  const clock = createChangeClock();

  /** Reads the latest record; when there is none, the function is gone. */
  const recheck = (name: string) => {
    Promise.resolve(cache.get(name)).then(
      (fn) => fn === undefined && changed({ name, op: 'delete' }),
      () => {}, // the registry is unreachable: the next change or resync will tell
    );
  };

  const changed = (change: FunctionChange) => {
    const { name, op, version } = change;
    clock.note(change);
    if (op === 'deploy' && version !== undefined) {
      // Records at this version or newer were read after this deploy committed.
      cache.invalidate(name, (fn) => fn.version >= version);
      return;
    }
    cache.invalidate(name);
    if (op === 'delete') deps.retire(name);
    else if (op === 'unknown') recheck(name);
  };

  return {
    get: (name, version) => cache.get(name, version),
    stamp: clock.stamp,
    deployed(fn, since) {
      const latest = clock.isLatest(fn.name, fn.version, since);
      changed({ name: fn.name, op: 'deploy', version: fn.version });
      // Its first invoke then needs no SQL read.
      if (latest) cache.seed(fn);
    },
    changed,
    called(name, since) {
      if (clock.changedSince(name, since)) recheck(name);
    },
    async resync() {
      cache.clear();
      clock.clear();
      try {
        const existing = new Set(await deps.existing());
        for (const name of await deps.pooled()) {
          // Deletes may have been missed as well.
          if (!existing.has(name)) changed({ name, op: 'delete' });
        }
      } catch (err) {
        deps.onResyncFailed?.(err);
      }
    },
  };
}
