import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** PostgreSQL with nothing installed: PGlite (WASM) on a loopback port, data in a directory. */
export interface EmbeddedPostgres {
  /** For postgres.js with `max: 1`: PGlite is a single connection. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves a PGlite database on 127.0.0.1 so the same postgres.js code and SQL migrations
 * run against it. One connection (the socket server's default): a second one would let
 * transactions interleave. NOTIFY does not cross connections here, so the embedded
 * instance, the only writer, invalidates its own caches instead of listening.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
