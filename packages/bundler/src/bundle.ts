import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MiniLambdaError } from '@mini-lambda/core';
import { extractArchive, safePath } from './archive.ts';
import { type BuildMessage, build } from './build.ts';
import { BUNDLE_LIMITS, type BundleLimits } from './limits.ts';

/** What a deploy uploads: one module, or a project archive. */
export type BundleInput =
  | { kind: 'module'; source: string; typescript: boolean }
  | { kind: 'archive'; zip: Buffer; entry?: string };

export type { BuildMessage };

export interface BundleResult {
  code: string;
  sha256: string;
  size: number;
  /** The module's export names; which handler it offers is decided by evaluating it. */
  exports: string[];
  warnings: BuildMessage[];
}

export interface BundleOptions {
  limits?: BundleLimits;
  /** esbuild gets this long before the build is cancelled. */
  timeoutMs?: number;
}

/**
 * Bundles an upload in this process, in `root`: an empty private directory that the
 * caller creates and removes (run-bundle.ts, so it goes even when this process is
 * killed). esbuild may read nothing outside it, and user code is never run here.
 */
export async function bundleHere(
  input: BundleInput,
  root: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  try {
    return await bundleIn(input, root, options);
  } catch (err) {
    throw withoutPath(err, root);
  }
}

async function bundleIn(
  input: BundleInput,
  root: string,
  options: BundleOptions,
): Promise<BundleResult> {
  const limits = options.limits ?? BUNDLE_LIMITS;
  if (input.kind === 'archive' && input.zip.length > limits.maxArchiveBytes) {
    throw new MiniLambdaError(
      'PayloadTooLarge',
      `The archive is larger than ${limits.maxArchiveBytes} bytes`,
    );
  }
  const entry = await writeUpload(input, root, limits);
  const output = await build(root, entry, options.timeoutMs ?? 30_000);
  const code = output.code;
  const size = Buffer.byteLength(code);
  if (size > limits.maxBundleBytes) {
    throw new MiniLambdaError(
      'PayloadTooLarge',
      `The bundle is ${size} bytes; at most ${limits.maxBundleBytes} are allowed`,
    );
  }
  return {
    code,
    sha256: createHash('sha256').update(code).digest('hex'),
    size,
    exports: mayHaveHandler(output.exports),
    warnings: output.warnings,
  };
}

/** Our temporary directory never reaches a user: its path becomes `.` in every message. */
function withoutPath(err: unknown, root: string): MiniLambdaError {
  const clean = (text: string) => text.split(root).join('.');
  if (err instanceof MiniLambdaError) {
    const details = JSON.parse(clean(JSON.stringify(err.details))) as Record<string, unknown>;
    return new MiniLambdaError(err.code, clean(err.message), details);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new MiniLambdaError('InternalError', `The bundler failed: ${clean(message)}`);
}

/** Writes the upload under `root` and returns the entry point, relative to it. */
async function writeUpload(
  input: BundleInput,
  root: string,
  limits: BundleLimits,
): Promise<string> {
  if (input.kind === 'module') {
    const entry = input.typescript ? 'index.ts' : 'index.js';
    await writeFile(join(root, entry), input.source);
    return entry;
  }
  await extractArchive(input.zip, root, limits);
  if (input.entry !== undefined) {
    const entry = safePath(input.entry);
    if (!(await isFile(join(root, entry)))) {
      throw new MiniLambdaError(
        'BuildFailed',
        `The entry point ${JSON.stringify(input.entry)} is not in the archive`,
        {
          errors: [{ text: `Could not find ${input.entry}`, file: null, line: null, column: null }],
        },
      );
    }
    return entry;
  }
  return findEntry(root);
}

/** `package.json` main/module, else index.ts, else index.js. */
async function findEntry(root: string): Promise<string> {
  const candidates: string[] = [];
  try {
    const pkg: unknown = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    if (pkg && typeof pkg === 'object') {
      for (const field of ['main', 'module'] as const) {
        const value = (pkg as Record<string, unknown>)[field];
        if (typeof value === 'string') candidates.push(value.replace(/^\.\//, ''));
      }
    }
  } catch {
    // no package.json, or not JSON: fall back to the index files
  }
  candidates.push('index.ts', 'index.js', 'index.mjs');
  for (const candidate of candidates) {
    const entry = safePath(candidate);
    if (await isFile(join(root, entry))) return entry;
  }
  throw new MiniLambdaError(
    'BuildFailed',
    'The archive has no entry point: give ?entry=, package.json "main", or an index.ts/index.js',
    {
      errors: [{ text: 'No entry point found', file: null, line: null, column: null }],
    },
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Only a `handler` or a default export can be a handler (a CommonJS entry's
 * `module.exports` is its default export); whether one is, evaluating it tells.
 */
function mayHaveHandler(exports: string[]): string[] {
  if (exports.includes('handler') || exports.includes('default')) return exports;
  const found = exports.length === 0 ? 'it exports nothing' : `it exports ${exports.join(', ')}`;
  throw new MiniLambdaError(
    'NoHandler',
    `The module has no handler (neither a \`handler\` export nor a default export): ${found}`,
  );
}
