import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MiniLambdaError } from '@mini-lambda/core';
import * as esbuild from 'esbuild';
import { extractArchive, safePath } from './archive.ts';
import { guardResolution, inside, OUTSIDE } from './guard.ts';
import { BUNDLE_LIMITS, type BundleLimits } from './limits.ts';

/** What a deploy uploads: one module, or a project archive. */
export type BundleInput =
  | { kind: 'module'; source: string; typescript: boolean }
  | { kind: 'archive'; zip: Buffer; entry?: string };

/** A build message with its position, as docs/api.md's `BuildFailed` lists them. */
export interface BuildMessage {
  text: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

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

interface BuildOutput {
  code: string;
  exports: string[];
  warnings: BuildMessage[];
}

async function build(root: string, entry: string, timeoutMs: number): Promise<BuildOutput> {
  const context = await esbuild.context({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    // Browser-neutral, preferring worker/browser builds of packages: there is no Node here.
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['worker', 'browser', 'import', 'default'],
    target: 'es2024', // V8 in Node 24
    minify: false, // stack traces read well
    metafile: true,
    logLevel: 'silent',
    // A tsconfig.json could `extends` a file outside the upload: ignored.
    tsconfigRaw: {},
    plugins: [guardResolution(root)],
  });
  const cancelled = { value: false };
  const timer = setTimeout(() => {
    cancelled.value = true;
    void context.cancel();
  }, timeoutMs);
  try {
    const result = await context.rebuild();
    const file = result.outputFiles?.[0];
    if (!file)
      throw buildFailed([
        { text: `The build did not finish within ${timeoutMs} ms`, location: null },
      ]);
    // Second line of defence behind the guard: every input esbuild read is in the upload.
    for (const input of Object.keys(result.metafile?.inputs ?? {})) {
      if (!inside(root, resolve(root, input)))
        throw buildFailed([{ text: OUTSIDE, location: null }]);
    }
    const outputs = Object.values(result.metafile?.outputs ?? {});
    return {
      code: file.text,
      exports: outputs[0]?.exports ?? [],
      warnings: result.warnings.map(toMessage),
    };
  } catch (err) {
    if (err instanceof MiniLambdaError) throw err;
    const errors = (err as { errors?: esbuild.Message[] }).errors;
    const text = err instanceof Error ? err.message : String(err);
    if (cancelled.value) {
      throw buildFailed([
        { text: `The build did not finish within ${timeoutMs} ms`, location: null },
      ]);
    }
    if (!errors?.length && /service (was stopped|is no longer running)/.test(text)) {
      // esbuild's own process died on this input (a stack overflow on deep nesting).
      throw buildFailed([
        { text: 'The bundler crashed on this input (is it nested too deeply?)', location: null },
      ]);
    }
    throw buildFailed(errors?.length ? errors : [{ text, location: null }]);
  } finally {
    clearTimeout(timer);
    await context.dispose();
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

function buildFailed(messages: Pick<esbuild.Message, 'text' | 'location'>[]): MiniLambdaError {
  const errors = messages.map(toMessage);
  const first = errors[0];
  const where = first?.file ? ` (${first.file}:${first.line}:${first.column})` : '';
  return new MiniLambdaError(
    'BuildFailed',
    `Build failed: ${first?.text ?? 'unknown error'}${where}`,
    { errors },
  );
}

function toMessage(m: Pick<esbuild.Message, 'text' | 'location'>): BuildMessage {
  const loc = m.location;
  return {
    text: m.text,
    file: loc?.file ?? null,
    line: loc?.line ?? null,
    column: loc?.column ?? null,
  };
}
