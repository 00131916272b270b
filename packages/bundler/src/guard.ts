import { isAbsolute, relative } from 'node:path';
import type { Plugin } from 'esbuild';
import {
  classify,
  loadVirtualModules,
  type ResolutionRecord,
  resolveBuiltin,
} from './node-builtins.ts';

/**
 * Lets esbuild resolve every import with its own resolver (package `exports`, conditions
 * and `browser` maps are too subtle to re-implement), then refuses any result outside
 * `root`, so nothing outside the upload is read or inlined. Node built-ins and fetch
 * packages become virtual modules (node-builtins.ts) unless the importing package's
 * `browser` map says otherwise; `record` collects what the build met.
 */
export function guardResolution(root: string, record: ResolutionRecord): Plugin {
  return {
    name: 'mini-lambda-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === GUARDED) return undefined;
        const spec = args.path;
        const resolved = await build.resolve(spec, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          with: args.with,
          pluginData: GUARDED,
        });
        // An entry point is a file of the upload, whatever its name (`events.js` as `events`).
        const builtin = args.kind === 'entry-point' ? undefined : classify(spec);
        if (builtin) {
          const importer =
            args.namespace === 'file' ? relative(root, args.importer) : args.importer;
          const decided = resolveBuiltin(builtin, spec, resolved, importer, record);
          if (decided) return decided;
        }
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external || (resolved.namespace === 'file' && !inside(root, resolved.path))) {
          return refuse(`"${spec}" resolves outside the upload`);
        }
        // Accepted: esbuild's own resolution, which gives the same answer, takes it from
        // here. Returning build.resolve's path instead would lose what it does not report:
        // that a browser map disabled a file (node-builtins.ts).
        return undefined;
      });
      loadVirtualModules(build);
      // Template-literal imports (import(`./x/${name}.json`)) become globs that esbuild
      // expands by itself, loading every match without asking onResolve: every load is
      // checked too, before the file is read. The message names no path, since which
      // files exist out there is itself information.
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) =>
        inside(root, args.path) ? undefined : refuse(OUTSIDE),
      );
    },
  };
}

const GUARDED = Symbol('resolved by the guard');

export const OUTSIDE =
  'An import reaches outside the upload (a template-literal import whose pattern leaves it?)';

/** Whether `path` lies below `root` (both absolute, real paths). */
export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function refuse(text: string) {
  return { errors: [{ text }] };
}
