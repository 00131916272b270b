import { isBuiltin } from 'node:module';
import {
  FETCH_PACKAGES,
  NODE_LOADER_KEY,
  type NodeModuleName,
  nodeModuleName,
  REFUSED_NODE_MODULES,
} from '@mini-lambda/core';
import type { OnResolveResult, PluginBuild, ResolveResult } from 'esbuild';
import { FETCH_MODULE } from './fetch-module.ts';

/** esbuild namespaces of the virtual modules that stand for a built-in / a fetch package. */
export const NODE_NAMESPACE = 'mini-lambda-node';
export const FETCH_NAMESPACE = 'mini-lambda-fetch';

/** What a specifier asks for, before anything is resolved. */
export type BuiltinRequest =
  | { kind: 'node'; id: NodeModuleName }
  | { kind: 'refused'; name: string; reason: string; listed: boolean }
  | { kind: 'fetch' };

/** What one build met, for the caller: built-ins it resolved, refusals it left to esbuild. */
export interface ResolutionRecord {
  /** Ids of the built-ins the bundle asks the loader for (`async_hooks` needs a second pass). */
  builtins: Set<NodeModuleName>;
  /** Texts of the warnings that stand for a refused import (see refusal()). */
  refusals: Set<string>;
}

export function newRecord(): ResolutionRecord {
  return { builtins: new Set(), refusals: new Set() };
}

/**
 * Node's own rule decides what is a built-in: `node:x` always, bare `x` (and `fs/promises`)
 * when Node has it, whatever node_modules holds; `buffer/` (trailing slash) is a package.
 */
export function classify(spec: string): BuiltinRequest | undefined {
  const id = nodeModuleName(spec);
  if (id !== undefined) return { kind: 'node', id };
  const prefixed = spec.startsWith('node:');
  if (prefixed || isBuiltin(spec)) {
    const name = prefixed ? spec.slice(5) : spec;
    const top = name.split('/')[0] ?? name;
    const listed = Object.hasOwn(REFUSED_NODE_MODULES, top);
    const reason = listed
      ? (REFUSED_NODE_MODULES[top] as string)
      : isBuiltin(spec)
        ? 'it is not one of the built-ins functions provide'
        : 'Node has no such module';
    return { kind: 'refused', name, reason, listed };
  }
  if (FETCH_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) return { kind: 'fetch' };
  return undefined;
}

/**
 * Decides a built-in or fetch-package import, given what esbuild's own resolver made of it
 * (`resolved`). Returns undefined when esbuild's resolution stands; the guard then checks it
 * like any other. That is the case when the importing package's `browser` map remaps the
 * specifier: esbuild applies that map (platform "browser" only: "neutral" ignores it), and
 * reports it in build.resolve as follows (measured with esbuild 0.28):
 *   - `"fs": false` → no error, `namespace: ""`, `path: "fs"` (the module becomes "(disabled):fs");
 *   - `"crypto": "./shim.js"` or `"crypto": "crypto-browserify"` → that file, namespace "file";
 *   - `"./node.js": false` (a file, not a built-in) → the file's path without its extension,
 *     namespace "file", nothing telling it is disabled: hence the guard hands every accepted
 *     import back to esbuild instead of returning build.resolve's path.
 * An npm package of the built-in's own name (node_modules/buffer) resolves too, without any
 * map; Node would still load its built-in, and so do we.
 */
export function resolveBuiltin(
  request: BuiltinRequest,
  spec: string,
  resolved: ResolveResult,
  importer: string,
  record: ResolutionRecord,
): OnResolveResult | undefined {
  const found = resolved.errors.length === 0;
  if (found && remapped(spec, resolved)) return undefined;
  switch (request.kind) {
    case 'node':
      record.builtins.add(request.id);
      // Loading a built-in has no effect a function can observe: unused imports may go.
      return { path: request.id, namespace: NODE_NAMESPACE, sideEffects: false };
    case 'fetch':
      return { path: 'fetch', namespace: FETCH_NAMESPACE, sideEffects: false };
    case 'refused': {
      const text = `Node built-in "${request.name}" is not available in functions: ${request.reason} (imported by ${importer})`;
      // A built-in Node lacks or refuses names a package of the upload: an npm stand-in
      // such as `punycode` is better than a refusal; one for `fs` cannot be what Node loads.
      if (found) return request.listed || spec.startsWith('node:') ? refuse(text) : undefined;
      return refusal(text, record);
    }
  }
}

/** Whether esbuild's result comes from a `browser` map rather than from node_modules/<spec>. */
function remapped(spec: string, resolved: ResolveResult): boolean {
  if (resolved.namespace === '') return true; // mapped to false
  const at = resolved.path.lastIndexOf('/node_modules/');
  if (at < 0) return true;
  const owner = resolved.path.slice(at + '/node_modules/'.length).split('/')[0];
  return owner !== spec.split('/')[0];
}

/**
 * A refused import that esbuild itself cannot resolve is handed back to it with a warning:
 * esbuild fails the build at that import unless the code handles the failure (a `require`
 * in a `try` block, an `import()` with a `catch`), which Node-first packages do for optional
 * features; such an import is left to fail at run time. The build turns esbuild's
 * "Could not resolve" at the warning's position into this text (build.ts).
 */
function refusal(text: string, record: ResolutionRecord): OnResolveResult {
  record.refusals.add(text);
  return { warnings: [{ text }] };
}

function refuse(text: string): OnResolveResult {
  return { errors: [{ text }] };
}

/** Registers the loaders of the virtual modules. */
export function loadVirtualModules(build: PluginBuild): void {
  const loader = `globalThis[Symbol.for(${JSON.stringify(NODE_LOADER_KEY)})]`;
  build.onLoad({ filter: /.*/, namespace: NODE_NAMESPACE }, (args) => ({
    // CommonJS on purpose: esbuild's interop then gives `import { Buffer } from "buffer"`,
    // `import EventEmitter from "events"` and `require("events")` the shapes Node gives.
    contents: `module.exports = ${loader}(${JSON.stringify(args.path)});\n`,
    loader: 'js',
  }));
  build.onLoad({ filter: /.*/, namespace: FETCH_NAMESPACE }, () => ({
    contents: FETCH_MODULE,
    loader: 'js',
  }));
}
