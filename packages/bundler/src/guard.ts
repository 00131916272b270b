import { builtinModules } from 'node:module';
import { isAbsolute, relative } from 'node:path';
import type { Plugin } from 'esbuild';

const NODE_BUILTINS = new Set(builtinModules);

/**
 * Lets esbuild resolve every import with its own resolver (package `exports`, conditions
 * and `browser` maps are too subtle to re-implement), then refuses any result outside
 * `root`, so nothing outside the upload is read or inlined. A Node built-in that the
 * upload does not itself provide (an npm `buffer` in node_modules is fine) is refused by name.
 */
export function guardResolution(root: string): Plugin {
  return {
    name: 'mini-lambda-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === GUARDED) return undefined;
        const spec = args.path;
        if (spec.startsWith('node:'))
          return refuse(`Node built-in "${spec}" is not available in functions`);
        const resolved = await build.resolve(spec, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: GUARDED,
        });
        if (resolved.errors.length > 0) {
          if (NODE_BUILTINS.has(spec.split('/')[0] ?? spec)) {
            return refuse(`Node built-in "${spec}" is not available in functions`);
          }
          return { errors: resolved.errors };
        }
        if (resolved.external || (resolved.namespace === 'file' && !inside(root, resolved.path))) {
          return refuse(`"${spec}" resolves outside the upload`);
        }
        return {
          path: resolved.path,
          namespace: resolved.namespace,
          sideEffects: resolved.sideEffects,
          suffix: resolved.suffix,
          pluginData: resolved.pluginData,
        };
      });
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
