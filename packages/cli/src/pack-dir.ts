import type { Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { cannotRead, failure } from './cli-error.ts';
import { formatBytes } from './output.ts';

const MB = 1024 * 1024;

/** The server's bounds on an archive (docs/api.md), checked here so a refused upload never starts. */
export const PACK_LIMITS = {
  /** A zip upload: `413 PayloadTooLarge` past it. */
  maxZipBytes: 50 * MB,
  /** Entries in the archive (`InvalidArchive` past it). */
  maxFiles: 10_000,
  /** What the archive expands to (`InvalidArchive` past it); also bounds our memory. */
  maxRawBytes: 200 * MB,
  /** Directories walked: bounds a tree of symlinks that fans out without looping. */
  maxDirectories: 10_000,
} as const;

export type PackLimits = { [K in keyof typeof PACK_LIMITS]: number };

export interface PackedDirectory {
  zip: Buffer;
  files: number;
  /** Sum of the file sizes before compression. */
  rawBytes: number;
  /** What was left out and why (loops, broken links, sockets): for the user to see. */
  skipped: string[];
}

/** Directories never uploaded: version control only. `node_modules` is kept on purpose. */
const SKIPPED_NAMES = new Set(['.git']);

/**
 * Zips a project directory in memory, paths relative to `root`. Symlinks are followed and
 * stored as the files they point to (the server refuses symlink entries); a link back to a
 * directory being walked is skipped, so a cycle ends instead of recursing forever.
 */
export async function packDirectory(
  root: string,
  limits: PackLimits = PACK_LIMITS,
): Promise<PackedDirectory> {
  const zip = new ZipFile();
  const state = { files: 0, rawBytes: 0, directories: 0, skipped: [] as string[] };

  async function walk(dir: string, prefix: string, ancestors: Set<string>): Promise<void> {
    if (++state.directories > limits.maxDirectories)
      throw tooBig(`more than ${limits.maxDirectories} directories`);
    const names = (await readdir(dir).catch(unreadable(dir))).sort();
    for (const name of names) {
      if (SKIPPED_NAMES.has(name)) continue;
      const path = join(dir, name);
      const entry = `${prefix}${name}`;
      let info: Stats;
      try {
        info = await stat(path); // follows symlinks
      } catch {
        state.skipped.push(`${entry} (a broken symlink or unreadable)`);
        continue;
      }
      if (info.isDirectory()) {
        const real = await realpath(path);
        if (ancestors.has(real)) {
          state.skipped.push(`${entry} (a symlink back to a parent directory)`);
          continue;
        }
        ancestors.add(real);
        await walk(path, `${entry}/`, ancestors);
        ancestors.delete(real);
      } else if (info.isFile()) {
        if (++state.files > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
        state.rawBytes += info.size;
        if (state.rawBytes > limits.maxRawBytes)
          throw tooBig(`more than ${formatBytes(limits.maxRawBytes)} of files`);
        // A regular-file mode: a dereferenced symlink must not keep its link bits.
        zip.addBuffer(await readFile(path).catch(unreadable(path)), entry, {
          mtime: info.mtime,
          mode: 0o100644 | (info.mode & 0o111),
        });
      } else {
        state.skipped.push(`${entry} (not a regular file)`);
      }
    }
  }

  function unreadable(path: string) {
    return (err: unknown): never => {
      throw cannotRead(path, err);
    };
  }

  function tooBig(what: string) {
    return failure(
      `${root} holds ${what}, more than the server accepts. Leave out what the function ` +
        'does not need (dev dependencies, tests, build output), or deploy a bundled file.',
    );
  }

  await walk(root, '', new Set([await realpath(root)]));
  if (state.files === 0) throw failure(`Nothing to deploy: ${root} has no files`);
  zip.end();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
  }
  if (size > limits.maxZipBytes)
    throw failure(
      `${root} packs to ${formatBytes(size)}; the server accepts at most ` +
        `${formatBytes(limits.maxZipBytes)}. Leave out what the function does not need ` +
        '(dev dependencies, tests, build output), or deploy a bundled file.',
    );
  return {
    zip: Buffer.concat(chunks),
    files: state.files,
    rawBytes: state.rawBytes,
    skipped: state.skipped,
  };
}
