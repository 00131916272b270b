import { resolve } from 'node:path';
import { MiniLambdaError } from '@mini-lambda/core';
import * as esbuild from 'esbuild';
import { guardResolution, inside, OUTSIDE } from './guard.ts';
import {
  FETCH_NAMESPACE,
  NODE_NAMESPACE,
  newRecord,
  type ResolutionRecord,
} from './node-builtins.ts';

/** A build message with its position, as docs/api.md's `BuildFailed` lists them. */
export interface BuildMessage {
  text: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

export interface BuildOutput {
  code: string;
  exports: string[];
  warnings: BuildMessage[];
}

/**
 * A dynamic `import()` left in a bundle (its specifier computed at run time) would reach an
 * isolate that has no module loader, which rejects with V8's bare "Not supported". esbuild
 * turns it into a require instead, which says what: `Dynamic require of "x" is not
 * supported`. Literal `import('node:crypto')` is resolved at build time either way.
 */
const NO_DYNAMIC_IMPORT: Record<string, boolean> = { 'dynamic-import': false };

/**
 * What AsyncLocalStorage needs of a bundle: no native `await`, which resumes without
 * calling `then`, so the runtime's context tracking (on Promise.prototype.then) would not
 * see it. esbuild lowers these to generators driven by `.then`.
 */
const LOWERED_AWAIT: Record<string, boolean> = {
  ...NO_DYNAMIC_IMPORT,
  'async-await': false,
  'async-generator': false,
  'for-await': false,
};

/**
 * Bundles `entry` of the upload in `root` into one ES module, within `timeoutMs`. A bundle
 * that resolved `async_hooks` is built a second time with every `await` lowered (the cost
 * of two passes is only paid by those).
 */
export async function build(root: string, entry: string, timeoutMs: number): Promise<BuildOutput> {
  const record = newRecord();
  const clock: Clock = { timeoutMs };
  const first = await buildOnce(root, entry, record, NO_DYNAMIC_IMPORT, clock);
  if (!record.builtins.has('async_hooks')) return first;
  return buildOnce(root, entry, record, LOWERED_AWAIT, clock);
}

/** The time bound of a build, passes included; it starts when esbuild is ready. */
interface Clock {
  timeoutMs: number;
  deadline?: number;
}

async function buildOnce(
  root: string,
  entry: string,
  record: ResolutionRecord,
  supported: Record<string, boolean>,
  clock: Clock,
): Promise<BuildOutput> {
  const context = await esbuild.context({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    // "browser" rather than "neutral" for the sake of packages' `browser` maps, which only
    // it applies; there is no Node here, and worker/browser builds come first.
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['worker', 'browser', 'import', 'default'],
    // Platform "browser" would bake NODE_ENV in as "development": a function's
    // process.env is its own environment, read at run time.
    define: { 'process.env.NODE_ENV': 'process.env.NODE_ENV' },
    target: 'es2024', // V8 in Node 24
    supported,
    minify: false, // stack traces read well
    metafile: true,
    logLevel: 'silent',
    // A tsconfig.json could `extends` a file outside the upload: ignored.
    tsconfigRaw: {},
    plugins: [guardResolution(root, record)],
  });
  const timedOut = () =>
    buildFailed([
      { text: `The build did not finish within ${clock.timeoutMs} ms`, location: null },
    ]);
  clock.deadline ??= performance.now() + clock.timeoutMs;
  const cancelled = { value: false };
  const timer = setTimeout(() => {
    cancelled.value = true;
    void context.cancel();
  }, clock.deadline - performance.now());
  try {
    if (clock.deadline <= performance.now()) throw timedOut();
    const result = await context.rebuild();
    const file = result.outputFiles?.[0];
    if (!file) throw timedOut();
    // Second line of defence behind the guard: every input esbuild read is in the upload.
    for (const input of Object.keys(result.metafile?.inputs ?? {})) {
      if (!inside(root, resolve(root, input)))
        throw buildFailed([{ text: OUTSIDE, location: null }]);
    }
    const outputs = Object.values(result.metafile?.outputs ?? {});
    return {
      code: file.text,
      exports: outputs[0]?.exports ?? [],
      warnings: result.warnings
        .filter((w) => !UNUSED_VIRTUAL.test(w.text))
        .map((w) => toMessage(explainWarning(w, record))),
    };
  } catch (err) {
    if (err instanceof MiniLambdaError) throw err;
    const failure = err as { errors?: esbuild.Message[]; warnings?: esbuild.Message[] };
    const errors = failure.errors;
    const text = err instanceof Error ? err.message : String(err);
    if (cancelled.value) throw timedOut();
    if (!errors?.length && /service (was stopped|is no longer running)/.test(text)) {
      // esbuild's own process died on this input (a stack overflow on deep nesting).
      throw buildFailed([
        { text: 'The bundler crashed on this input (is it nested too deeply?)', location: null },
      ]);
    }
    if (!errors?.length) throw buildFailed([{ text, location: null }]);
    throw buildFailed(explainErrors(errors, failure.warnings ?? [], record, supported));
  } finally {
    clearTimeout(timer);
    await context.dispose();
  }
}

/**
 * esbuild's "Could not resolve" of a refused built-in becomes the refusal's own text (the
 * warning the guard left at the same import); a top-level await that the lowering for
 * AsyncLocalStorage cannot handle says so.
 */
function explainErrors(
  errors: esbuild.Message[],
  warnings: esbuild.Message[],
  record: ResolutionRecord,
  supported: Record<string, boolean>,
): Pick<esbuild.Message, 'text' | 'location'>[] {
  const refusedAt = new Map<string, string>();
  for (const w of warnings) if (record.refusals.has(w.text)) refusedAt.set(at(w), w.text);
  return errors.map((e) => {
    const refusal = refusedAt.get(at(e));
    if (refusal !== undefined && e.text.startsWith('Could not resolve'))
      return { text: refusal, location: e.location };
    if (supported === LOWERED_AWAIT && e.text.startsWith('Top-level await is not available'))
      return {
        text: 'Top-level await cannot be used in a function that imports async_hooks: AsyncLocalStorage needs every await turned into .then, which cannot be done at the top level of a module (move it into the handler or an async function)',
        location: e.location,
      };
    return e;
  });
}

/** A refusal esbuild let through (the code catches the failure) warns of what happens. */
function explainWarning(w: esbuild.Message, record: ResolutionRecord): esbuild.Message {
  if (!record.refusals.has(w.text)) return w;
  return {
    ...w,
    text: `${w.text}; the import is left to fail at run time, where the code catches it`,
  };
}

/**
 * esbuild warns of a side-effect import of a module without side effects; for a built-in
 * or a fetch package (`import "isomorphic-fetch"`, a polyfill here) dropping it is the point.
 */
const UNUSED_VIRTUAL = new RegExp(
  `^Ignoring this import because "(${NODE_NAMESPACE}|${FETCH_NAMESPACE}):`,
);

function at(m: esbuild.Message): string {
  const loc = m.location;
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : '';
}

export function buildFailed(
  messages: Pick<esbuild.Message, 'text' | 'location'>[],
): MiniLambdaError {
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
