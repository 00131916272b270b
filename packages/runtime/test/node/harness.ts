import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_LOADER_KEY, nodeModuleName } from '@mini-lambda/core';
import { build, type Plugin } from 'esbuild';
import { expect } from 'vitest';
import { createTestRuntime } from '../harness.ts';

/**
 * Built-ins in a test bundle as a function's bundle has them: a CommonJS module that asks
 * the isolate's loader, so `import {Buffer} from 'node:buffer'` and `require('events')` get
 * Node's shapes through esbuild's interop.
 */
export function nodeBuiltinsPlugin(): Plugin {
  return {
    name: 'node-builtins',
    setup(b) {
      b.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
        const id = nodeModuleName(args.path);
        return id ? { path: id, namespace: 'node-builtin' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
        contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(NODE_LOADER_KEY)})](${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * `source` (an ES module, or a file given as `{ file }`) bundled as a deploy would, built-ins
 * left to the isolate; `supported` as esbuild takes it (the lowering of async_hooks bundles).
 */
export async function bundleForIsolate(
  source: string | { file: string },
  supported?: Record<string, boolean>,
): Promise<string> {
  const result = await build({
    ...(typeof source === 'string'
      ? { stdin: { contents: source, loader: 'js', resolveDir: import.meta.dirname } }
      : { entryPoints: [source.file] }),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
    ...(supported ? { supported } : {}),
    plugins: [nodeBuiltinsPlugin()],
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * Runs ES modules that export `handler` in isolates of a real runtime (each its own
 * function) and in this Node process, the reference. Case results must be JSON.
 */
export function createNodeOracle(limits: Parameters<typeof createTestRuntime>[0] = {}) {
  const t = createTestRuntime(limits);
  let n = 0;

  /** The outcome of invoking `source`'s handler with `event` in an isolate. */
  async function invoke(
    source: string,
    event: unknown = null,
    config: Record<string, unknown> = {},
  ) {
    const fn = t.deploy(`node-case-${n++}`, await bundleForIsolate(source), config);
    return t.runtime.invoke(fn, JSON.stringify(event));
  }

  /** What `source`'s handler returns in an isolate (a failure throws). */
  async function inIsolate(source: string, event: unknown = null): Promise<unknown> {
    const out = await invoke(source, event);
    if (!out.ok) throw new Error(`the case failed in the isolate: ${out.reason}: ${out.message}`);
    return JSON.parse(out.result);
  }

  return {
    runtime: t.runtime,
    invoke,
    inIsolate,
    /** `source`'s handler returns the same JSON in an isolate as in Node. */
    async same(source: string, event: unknown = null): Promise<void> {
      const [expected, actual] = await Promise.all([
        inNode(source, event),
        inIsolate(source, event),
      ]);
      expect(actual).toEqual(expected);
    },
    dispose: () => t.runtime.dispose(),
  };
}

/** What `source`'s handler returns in this Node process, as JSON would carry it. */
export async function inNode(source: string, event: unknown = null): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'node-case-'));
  try {
    const file = join(dir, 'case.mjs');
    await writeFile(file, source);
    const mod = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown) => unknown;
    };
    const value = await mod.handler(event);
    return JSON.parse(JSON.stringify(value ?? null));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
