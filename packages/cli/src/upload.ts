import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { cannotRead, failure, usageError } from './cli-error.ts';
import type { Output } from './output.ts';
import { formatBytes } from './output.ts';
import { PACK_LIMITS, packDirectory } from './pack-dir.ts';

/** A deploy body ready to send. */
export interface Upload {
  body: Uint8Array;
  contentType: string;
}

const MODULE_TYPES: Record<string, string> = {
  '.ts': 'application/typescript',
  '.mts': 'application/typescript',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.zip': 'application/zip',
};

/** The Content-Type docs/api.md expects for a file, by extension; undefined when unsupported. */
export function contentTypeFor(path: string): string | undefined {
  return MODULE_TYPES[extname(path).toLowerCase()];
}

/**
 * Reads what `deploy` was pointed at: a module or a .zip as is, a directory zipped in memory
 * (reporting progress on stderr). Anything over the server's 50 MB bound fails here.
 */
export async function readUpload(path: string, out: Output): Promise<Upload> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
  if (info.isDirectory()) {
    const packed = await packDirectory(path);
    for (const skipped of packed.skipped) out.status(`Skipped ${skipped}`);
    out.status(`Packed ${packed.files} files (${formatBytes(packed.zip.length)})`);
    return { body: packed.zip, contentType: 'application/zip' };
  }
  const contentType = contentTypeFor(path);
  if (!info.isFile() || contentType === undefined)
    throw usageError(
      `Cannot deploy ${path}: give a .ts, .mts, .js or .mjs module, a .zip archive or a directory`,
      'deploy',
    );
  if (info.size > PACK_LIMITS.maxZipBytes)
    throw failure(
      `${path} is ${formatBytes(info.size)}; the server accepts at most ${formatBytes(PACK_LIMITS.maxZipBytes)}`,
    );
  const body = await readFile(path).catch((err: unknown) => {
    throw cannotRead(path, err);
  });
  return { body, contentType };
}
