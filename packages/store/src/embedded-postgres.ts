import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createWalSync, SyncingNodeFS } from './wal-sync.ts';

/**
 * What survives what. Both: every commit survives the process (SIGKILL, crash).
 * `embedded-wal-fsync`: an operating-system crash or power loss keeps what `syncWal()`
 * flushed (the accepted async events) and what checkpoints wrote, and may lose other
 * recent commits. `embedded-fsync`: every commit is on disk before it returns, as on
 * PostgreSQL, at the price of a sync inside each writing query (it blocks the event loop).
 */
export type EmbeddedDurability = 'embedded-wal-fsync' | 'embedded-fsync';

export interface EmbeddedOptions {
  /** Sync the WAL at every commit (`embedded-fsync`); default: only when `syncWal()` asks. */
  syncEveryCommit?: boolean;
}

/** PostgreSQL with nothing installed: PGlite (WASM) on a loopback port, data in a directory. */
export interface EmbeddedPostgres {
  /** For postgres.js with `max: 1`: PGlite is a single connection. */
  url: string;
  durability: EmbeddedDurability;
  /**
   * Puts every commit made before the call on disk (fdatasync of the WAL, off the event
   * loop; concurrent calls share one flush). Call after a commit that must survive an
   * operating-system crash, before acknowledging it.
   */
  syncWal(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves a PGlite database on 127.0.0.1 so the same postgres.js code and SQL migrations
 * run against it. One connection (the socket server's default): a second one would let
 * transactions interleave. NOTIFY does not cross connections here, so the embedded
 * instance, the only writer, invalidates its own caches instead of listening.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and its file system has no fsync: it
 * runs here with fsync on and a file system whose fsync reaches the disk, so checkpoints
 * and new WAL segments are durable; commits themselves are not synced (see `syncWal`).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: EmbeddedOptions = {},
): Promise<EmbeddedPostgres> {
  await mkdir(dataDir, { recursive: true });
  const fs = new SyncingNodeFS(dataDir);
  const startParams = PGlite.defaultStartParams.filter((param) => param !== '-F');
  // The default `fdatasync` is a no-op in Emscripten; `fsync` reaches the hook.
  if (options.syncEveryCommit) startParams.push('-c', 'wal_sync_method=fsync');
  const db = await PGlite.create({ fs, startParams });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  try {
    // A newer PGlite without Emscripten's NODEFS would quietly lose the checkpoint syncs.
    if (!fs.hooked) throw new Error('PGlite: could not give its file system an fsync');
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const wal = createWalSync(dataDir);
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    durability: options.syncEveryCommit ? 'embedded-fsync' : 'embedded-wal-fsync',
    syncWal: options.syncEveryCommit ? async () => {} : () => wal.sync(),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
