import { fdatasyncSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** WAL segment file names: timeline, log and segment number, 8 hex digits each. */
const SEGMENT = /^[0-9A-F]{24}$/;

/** Flushes PGlite's WAL to disk; concurrent calls share one flush (group commit). */
export interface WalSync {
  /**
   * Resolves once every WAL write made before the call is on disk: a call that arrives
   * while a flush runs waits for the next one, which then serves every caller that came
   * in the meantime.
   */
  sync(): Promise<void>;
  /** Flushes started so far (how well calls coalesce). */
  readonly flushes: number;
  /** The segment files the latest completed flush synced (absolute paths). */
  readonly lastSynced: readonly string[];
}

/**
 * PGlite writes its WAL with plain `pwrite` and never syncs it (Emscripten's NODEFS has
 * no fsync, and PostgreSQL's fdatasync is a no-op there), so a commit survives the
 * process but not the operating system. This fdatasyncs every segment in `pg_wal`
 * instead of guessing the current one: recycled segments carry future names, a record
 * can straddle two segments, and a clean file's fdatasync costs microseconds.
 */
export function createWalSync(dataDir: string): WalSync {
  const walDir = join(dataDir, 'pg_wal');
  let flushes = 0;
  let lastSynced: string[] = [];
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  async function flush(): Promise<void> {
    flushes++;
    const files = (await readdir(walDir)).filter((name) => SEGMENT.test(name));
    const synced = await Promise.all(files.map((name) => syncFile(join(walDir, name))));
    lastSynced = synced.filter((path): path is string => path !== undefined);
  }

  function start(): Promise<void> {
    current = flush().finally(() => {
      current = undefined;
    });
    return current;
  }

  return {
    sync() {
      if (!current) return start();
      // The running flush may have read the directory or synced before our write landed.
      next ??= current
        .catch(() => {})
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    get flushes() {
      return flushes;
    },
    get lastSynced() {
      return lastSynced;
    },
  };
}

/** fdatasync one file; undefined when PostgreSQL removed it meanwhile (recycling). */
async function syncFile(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    await handle.datasync();
    return path;
  } finally {
    await handle.close();
  }
}

/** The part of Emscripten's NODEFS we touch (not in PGlite's types). */
interface EmscriptenNodeFs {
  stream_ops: { fsync?: (stream: { nfd: number }) => number };
  tryFSOperation<T>(f: () => T): T;
}

/**
 * PGlite's NodeFS with an fsync that reaches the disk. Emscripten's NODEFS has no fsync
 * stream operation, so PostgreSQL's `fsync()` (checkpoints, pg_control, new WAL segments,
 * with `fsync = on`) silently did nothing. Commits keep the default
 * `wal_sync_method = fdatasync`, which Emscripten turns into a no-op, unless told to
 * sync every commit: such a sync runs inside the query and blocks the event loop, so
 * by default only accepted events are flushed, by `WalSync`, off the event loop.
 */
export class SyncingNodeFS extends NodeFS {
  /** True once the hook is in place (checked after start: a newer PGlite may lack NODEFS). */
  hooked = false;

  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const result = await super.init(...args);
    const preRun = result.emscriptenOpts.preRun ?? [];
    preRun.push((module) => {
      const nodefs = (module as unknown as { NODEFS?: EmscriptenNodeFs }).NODEFS;
      if (!nodefs?.stream_ops || typeof nodefs.tryFSOperation !== 'function') return;
      nodefs.stream_ops.fsync = (stream) => {
        nodefs.tryFSOperation(() => fdatasyncSync(stream.nfd));
        return 0;
      };
      this.hooked = true;
    });
    result.emscriptenOpts.preRun = preRun;
    return result;
  }
}
