import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MiniLambdaError } from '@mini-lambda/core';
import yauzl, { type Entry } from 'yauzl';
import type { BundleLimits } from './limits.ts';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Writes a zip's files under `root`, checking every path before anything is written and
 * counting the bytes actually inflated (declared sizes can lie): absolute or `..` paths,
 * symlinks, too many entries, too many bytes or a zip-bomb ratio end in InvalidArchive.
 */
export async function extractArchive(
  zip: Buffer,
  root: string,
  limits: BundleLimits,
): Promise<void> {
  let archive: yauzl.ZipFile;
  try {
    archive = await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (err) {
    throw invalid(`The archive could not be read: ${messageOf(err)}`);
  }
  if (archive.entryCount > limits.maxEntries) {
    archive.close();
    throw invalid(
      `The archive has ${archive.entryCount} entries; at most ${limits.maxEntries} are allowed`,
    );
  }
  // Against the archive's own size: entries may claim overlapping data to fake theirs.
  const budget = { inflated: 0, compressed: zip.length };
  const layout = new Layout();
  try {
    for await (const entry of archive.eachEntry()) {
      const path = safePath(entry.fileName);
      if (isSymlink(entry))
        throw invalid(`The archive entry ${JSON.stringify(entry.fileName)} is a symlink`);
      layout.add(path, entry.fileName);
      if (path.endsWith('/')) {
        await mkdir(join(root, path), { recursive: true });
        continue;
      }
      if (entry.isEncrypted())
        throw invalid(`The archive entry ${JSON.stringify(entry.fileName)} is encrypted`);
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      const stream = await archive.openReadStreamPromise(entry);
      await pipeline(stream, meter(budget, limits), createWriteStream(target, { flags: 'wx' }));
    }
  } catch (err) {
    if (err instanceof MiniLambdaError) throw err;
    throw invalid(`The archive is corrupt: ${messageOf(err)}`);
  } finally {
    archive.close();
  }
}

/** A relative path inside the archive root, or InvalidArchive. */
export function safePath(name: string): string {
  const normalized = name.replace(/\\/g, '/');
  const parts = normalized.split('/');
  const bad =
    normalized.length === 0 ||
    normalized.startsWith('/') ||
    /^[a-zA-Z]:/.test(normalized) ||
    normalized.includes('\0') ||
    parts.some((p) => p === '..' || p === '.') ||
    parts.slice(0, -1).some((p) => p === '');
  if (bad)
    throw invalid(`The archive entry ${JSON.stringify(name)} has an absolute or escaping path`);
  return normalized;
}

/** Refuses an entry that repeats another or is both a file and a directory. */
class Layout {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  add(path: string, shown: string): void {
    const isDir = path.endsWith('/');
    const name = isDir ? path.slice(0, -1) : path;
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.files.has(dir)) throw conflict(shown);
      this.dirs.add(dir);
    }
    if (this.files.has(name) || (!isDir && this.dirs.has(name))) throw conflict(shown);
    (isDir ? this.dirs : this.files).add(name);
  }
}

function conflict(shown: string): MiniLambdaError {
  return invalid(
    `The archive entry ${JSON.stringify(shown)} repeats or conflicts with another entry`,
  );
}

function isSymlink(entry: Entry): boolean {
  // Unix mode bits live in the high 16 bits when the archive was made on Unix.
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  return (mode & S_IFMT) === S_IFLNK;
}

function meter(budget: { inflated: number; compressed: number }, limits: BundleLimits): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      budget.inflated += chunk.length;
      if (budget.inflated > limits.maxExpandedBytes) {
        done(invalid(`The archive expands past ${limits.maxExpandedBytes} bytes`));
        return;
      }
      const ratio = budget.inflated / Math.max(1, budget.compressed);
      if (budget.inflated > limits.ratioGraceBytes && ratio > limits.maxCompressionRatio) {
        done(invalid(`The archive expands ${Math.round(ratio)}x; it looks like a zip bomb`));
        return;
      }
      done(null, chunk);
    },
  });
}

function invalid(message: string): MiniLambdaError {
  return new MiniLambdaError('InvalidArchive', message);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
