import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/embedded-postgres.ts';
import { createWalSync } from '../src/wal-sync.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mini-lambda-durable-'));
let db: EmbeddedPostgres;
let sql: Sql;

beforeAll(async () => {
  db = await startEmbeddedPostgres(dataDir);
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
  await sql`CREATE TABLE marks (v text NOT NULL)`;
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('embedded durability', () => {
  it('runs PostgreSQL with fsync on and says what it promises', async () => {
    expect(db.durability).toBe('embedded-wal-fsync');
    expect(await sql`SHOW fsync`).toEqual([{ fsync: 'on' }]);
  });

  it('syncs the WAL segment that holds the latest commit', async () => {
    const marker = `accepted-${crypto.randomUUID()}`;
    await sql`INSERT INTO marks VALUES (${marker})`;
    const wal = createWalSync(dataDir);
    await wal.sync();
    expect(wal.lastSynced.length).toBeGreaterThan(0);
    const holding = wal.lastSynced.filter((path) =>
      readFileSync(path).includes(Buffer.from(marker)),
    );
    expect(holding).toHaveLength(1);
    await db.syncWal();
  });

  it('serves concurrent calls with one flush, and a late call with the next', async () => {
    const wal = createWalSync(dataDir);
    const first = wal.sync();
    // These arrive while the first flush runs: it may have missed their commits.
    const waiting = Array.from({ length: 49 }, () => wal.sync());
    expect(wal.flushes).toBe(1);
    await Promise.all([first, ...waiting]);
    expect(wal.flushes).toBe(2);
    await wal.sync();
    expect(wal.flushes).toBe(3);
  });

  it.skipIf(!hasStrace)(
    'fdatasyncs the WAL when asked, not at each commit (strace)',
    () => {
      const { commits, syncWal } = walSyncsUnderStrace(false);
      expect(commits).toBe(0);
      expect(syncWal).toBeGreaterThan(0);
    },
    90_000,
  );

  it.skipIf(!hasStrace)(
    'fdatasyncs the WAL at each commit when told to (strace)',
    () => {
      const { commits } = walSyncsUnderStrace(true);
      expect(commits).toBeGreaterThanOrEqual(20);
    },
    90_000,
  );

  it('says so when it syncs every commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-lambda-every-'));
    const every = await startEmbeddedPostgres(dir, { syncEveryCommit: true });
    try {
      expect(every.durability).toBe('embedded-fsync');
      await every.syncWal();
    } finally {
      await every.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs an embedded database in a child under strace: 20 commits, then `syncWal()`.
 * The WAL segment syncs during the commits and during `syncWal()`.
 */
function walSyncsUnderStrace(syncEveryCommit: boolean): { commits: number; syncWal: number } {
  const dir = mkdtempSync(join(tmpdir(), 'mini-lambda-strace-'));
  try {
    const module = fileURLToPath(new URL('../src/embedded-postgres.ts', import.meta.url));
    // The child lives in a temporary directory: it names its imports by absolute URL.
    const postgresUrl = pathToFileURL(createRequire(import.meta.url).resolve('postgres')).href;
    const script = join(dir, 'child.mts');
    // Files the child opens: marks in the trace between the steps.
    const [inserting, syncing, synced] = ['inserting', 'syncing', 'synced'].map((f) =>
      join(dir, f),
    );
    const mark = (path: string | undefined) => `openSync(${JSON.stringify(path)}, 'w');`;
    writeFileSync(
      script,
      [
        `import { openSync } from 'node:fs';`,
        `import postgres from ${JSON.stringify(postgresUrl)};`,
        `import { startEmbeddedPostgres } from ${JSON.stringify(module)};`,
        `const db = await startEmbeddedPostgres(${JSON.stringify(join(dir, 'pg'))}, { syncEveryCommit: ${syncEveryCommit} });`,
        `const sql = postgres(db.url, { max: 1, onnotice: () => {} });`,
        `await sql\`CREATE TABLE t (v text)\`;`,
        mark(inserting),
        `for (let i = 0; i < 20; i++) await sql\`INSERT INTO t VALUES ('x')\`;`,
        mark(syncing),
        `await db.syncWal();`,
        mark(synced),
        `await sql.end(); await db.stop();`,
      ].join('\n'),
    );
    const trace = join(dir, 'trace');
    execFileSync(
      'strace',
      ['-f', '-y', '-e', 'trace=fdatasync,fsync,openat', '-o', trace, process.execPath, script],
      { timeout: 60_000 },
    );
    const lines = readFileSync(trace, 'utf8').split('\n');
    const at = (path: string | undefined) => {
      const index = lines.findIndex((l) => l.includes('openat') && l.includes(`${path}"`));
      expect(index, `${path} in the trace`).toBeGreaterThan(0);
      return index;
    };
    const walSync = /f(data)?sync\(\d+<[^>]*\/pg\/pg_wal\/[0-9A-F]{24}>\) = 0/;
    const syncs = (from: number, to: number) =>
      lines.slice(from, to).filter((l) => walSync.test(l)).length;
    return {
      commits: syncs(at(inserting), at(syncing)),
      syncWal: syncs(at(syncing), at(synced)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
