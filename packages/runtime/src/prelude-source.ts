import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { NODE_MODULES } from '@mini-lambda/core';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { sourcePatches } from './node-source-patches.ts';

const SANDBOX_DIR = new URL('./sandbox/', import.meta.url).pathname;
const ENTRY = resolve(SANDBOX_DIR, 'prelude/index.js');
const GLOBAL = '__miniLambdaPrelude';

/**
 * Parts of the platform loaded into an isolate only when first used, by a call of
 * `loadChunk(name)` (prelude/chunks.js): what the chunk is (`specifier`, resolved from the
 * module `from`), and its name. A direct call, not a `require()` that esbuild would turn
 * into helpers running after user code (they look up `Function.prototype.call`, which user
 * code may have replaced by then).
 */
const CHUNKS = [
  { specifier: 'web-streams-polyfill', from: 'platform/streams.js', name: 'streams' },
  { specifier: './classes.js', from: 'platform/fetch/index.js', name: 'fetch' },
  {
    specifier: 'urlpattern-polyfill/urlpattern',
    from: 'platform/url-pattern.js',
    name: 'urlpattern',
  },
  { specifier: './structured-clone.js', from: 'platform/basics.js', name: 'structured-clone' },
] as const;

interface Chunk {
  /** What the chunk holds (`require(specifier)` from the module `from`). */
  specifier: string;
  from: string;
  name: string;
  /** What the chunk's module.exports is: `module.exports = <entry>`. */
  entry: string;
}

const PLATFORM_CHUNKS: Chunk[] = CHUNKS.map((c) => ({
  ...c,
  entry: `require(${JSON.stringify(c.specifier)})`,
}));

/**
 * Node's built-in modules: chunk `node:<id>` is `node/<id with / → ->.js`, whose default
 * export is Node's `module.exports` for it. Only those whose file exists are built (a
 * module another part of the work has not written yet is unknown to the loader).
 */
const NODE_CHUNKS: Chunk[] = NODE_MODULES.map((id) => ({
  specifier: `node:${id}`,
  from: '',
  name: `node:${id}`,
  file: `node/${id.replaceAll('/', '-')}.js`,
}))
  .filter((c) => existsSync(resolve(SANDBOX_DIR, c.file)))
  .map(({ file, ...c }) => ({ ...c, entry: `require(${JSON.stringify(`./${file}`)}).default` }));

/** The prelude script and the chunks it may load, by name (`streams`, `node:buffer`, …). */
export interface PreludeSources {
  prelude: string;
  chunks: Readonly<Record<string, string>>;
  /** The built-in modules the loader knows (`buffer`, `stream/promises`, …). */
  nodeModules: readonly string[];
}

let built: Promise<PreludeSources> | undefined;

/**
 * The in-isolate prelude: sandbox/prelude and sandbox/platform bundled by esbuild into one
 * classic script whose completion value is `install`, plus the chunks it loads on first
 * use (web streams, the fetch classes, URLPattern, structuredClone: most functions never
 * touch them, and
 * an idle isolate should not hold their source and code). Built once per process, on
 * first use; kept as ES modules so it is linted, tested and readable. Whitespace and
 * syntax are minified, identifiers are not: class names are what user code sees.
 */
export function preludeSources(): Promise<PreludeSources> {
  built ??= buildAll();
  return built;
}

const COMMON: BuildOptions = {
  bundle: true,
  write: false,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['worker', 'browser', 'import'],
  target: 'es2022',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'silent',
  absWorkingDir: SANDBOX_DIR,
};

async function buildAll(): Promise<PreludeSources> {
  const nodeModules = NODE_CHUNKS.map((c) => c.name.slice('node:'.length));
  // 1. Which modules the prelude holds (with every chunk left out)...
  const first = await buildPrelude(new Set(), nodeModules);
  const inPrelude = new Set(
    Object.keys(first.metafile.inputs).map((file) => resolve(SANDBOX_DIR, file)),
  );
  // 2. ...so each chunk imports those from the prelude instead of bundling copies...
  const all = [...PLATFORM_CHUNKS, ...NODE_CHUNKS];
  const chunks = await Promise.all(all.map((chunk) => buildChunk(chunk, inPrelude)));
  const shared = new Set(chunks.flatMap((c) => c.shared));
  // 3. ...which the prelude then hands them.
  const prelude = await buildPrelude(shared, nodeModules);
  return {
    prelude: `(function(){"use strict";${prelude.code}return ${GLOBAL}.install;})()`,
    chunks: Object.fromEntries(all.map((chunk, i) => [chunk.name, chunkWrapper(chunks[i]?.code)])),
    nodeModules,
  };
}

/**
 * A chunk's code as the function the linker calls, `(require, module, exports, intrinsics)`.
 * It runs after user code, which may have replaced any built-in by then. Strict, so no
 * function of it is reachable through a replaced built-in's `.caller` or `.arguments`; and
 * esbuild's helpers take Object's methods from the prelude's copies, captured before user
 * code ran (chunks.js), not from the global Object.
 */
function chunkWrapper(code = ''): string {
  let out = code;
  for (const [helper, intrinsic] of HELPER_INTRINSICS) {
    out = out.replaceAll(`${helper}=${intrinsic}`, `${helper}=__intrinsics.${helper}`);
  }
  return `(function(require,module,exports,__intrinsics){"use strict";${out}})`;
}

/** esbuild's helper variables and the built-ins they are assigned (minified output). */
const HELPER_INTRINSICS = [
  ['__create', 'Object.create'],
  ['__defProp', 'Object.defineProperty'],
  ['__getOwnPropDesc', 'Object.getOwnPropertyDescriptor'],
  ['__getOwnPropNames', 'Object.getOwnPropertyNames'],
  ['__getProtoOf', 'Object.getPrototypeOf'],
  ['__hasOwnProp', 'Object.prototype.hasOwnProperty'],
] as const;

async function buildPrelude(shared: Set<string>, nodeModules: readonly string[]) {
  const result = await build({
    ...COMMON,
    entryPoints: [ENTRY],
    format: 'iife',
    globalName: GLOBAL,
    metafile: true,
    plugins: [sharedRegistry(shared), nodeModuleList(nodeModules)],
  });
  return { code: result.outputFiles?.[0]?.text ?? '', metafile: result.metafile };
}

/** `mini-lambda:shared`: the prelude's modules that chunks import, by path. */
function sharedRegistry(shared: Set<string>): Plugin {
  return {
    name: 'shared-registry',
    setup(b) {
      b.onResolve({ filter: /^mini-lambda:shared$/ }, () => ({
        path: 'shared',
        namespace: 'shared',
      }));
      b.onLoad({ filter: /.*/, namespace: 'shared' }, () => {
        const ids = [...shared].sort();
        const imports = ids.map(
          (id, i) => `import * as m${i} from ${JSON.stringify(resolve(SANDBOX_DIR, id))};`,
        );
        const entries = ids.map((id, i) => `${JSON.stringify(id)}: m${i}`);
        return {
          contents: `${imports.join('\n')}\nexport const shared = { __proto__: null, ${entries.join(', ')} };`,
          loader: 'js',
          resolveDir: SANDBOX_DIR,
        };
      });
    },
  };
}

/** `mini-lambda:node-modules`: the ids of the built-in modules there are chunks for. */
function nodeModuleList(ids: readonly string[]): Plugin {
  return {
    name: 'node-module-list',
    setup(b) {
      b.onResolve({ filter: /^mini-lambda:node-modules$/ }, () => ({
        path: 'node-modules',
        namespace: 'node-modules',
      }));
      b.onLoad({ filter: /.*/, namespace: 'node-modules' }, () => ({
        contents: `export const nodeModules = ${JSON.stringify(ids)};`,
        loader: 'js',
      }));
    },
  };
}

const BUILTIN_IDS: ReadonlySet<string> = new Set(NODE_MODULES);

/**
 * Packages inside chunks that stand for something the isolate already has. readable-stream
 * asks for `abort-controller` (the platform has AbortController) and for `process/` and
 * `string_decoder/` (with a slash: the npm copies; here the built-ins, so there is one
 * process and one Buffer per isolate).
 */
const STAND_INS: Readonly<Record<string, string>> = {
  'abort-controller':
    'module.exports = { AbortController, AbortSignal, default: AbortController };',
};

/**
 * A built-in some library's module imports, answered with a module of ours instead: unenv's
 * events extends AsyncResource at load time, and loading async_hooks for it would turn on
 * async context tracking for every user of events.
 */
const REPLACED_BUILTINS: readonly { importer: RegExp; path: string; file: string }[] = [
  {
    importer: /\/unenv\/dist\/runtime\/node\/internal\/events\/events\.mjs$/,
    path: 'node:async_hooks',
    file: 'node/internal/async-resource.js',
  },
];

/**
 * Inside a chunk, a built-in (`node:x`, bare `x`, `x/`) is `require("node:x")`, which the
 * chunk linker answers with that built-in's chunk: one Buffer, one EventEmitter per isolate.
 */
function builtinsOfChunks(self: string): Plugin {
  return {
    name: 'builtins-of-chunks',
    setup(b) {
      b.onResolve({ filter: /^[a-z_/:-]+$/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (Object.hasOwn(STAND_INS, args.path)) return { path: args.path, namespace: 'stand-in' };
        const replaced = REPLACED_BUILTINS.find(
          (r) => r.path === args.path && r.importer.test(args.importer),
        );
        if (replaced) return { path: resolve(SANDBOX_DIR, replaced.file) };
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        const id = bare.endsWith('/') ? bare.slice(0, -1) : bare;
        if (!BUILTIN_IDS.has(id)) {
          if (!args.path.startsWith('node:')) return undefined;
          return { errors: [{ text: `${args.path} is not a built-in functions have` }] };
        }
        // A module never stands for itself: its own id names the npm package it wraps.
        if (`node:${id}` === self && !args.path.startsWith('node:')) return undefined;
        return { path: `node:${id}`, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
        contents: STAND_INS[args.path] ?? '',
        loader: 'js',
      }));
    },
  };
}

async function buildChunk(chunk: Chunk, inPrelude: Set<string>) {
  const shared = new Set<string>();
  const result = await build({
    ...COMMON,
    stdin: {
      contents: `module.exports = ${chunk.entry};`,
      resolveDir: chunk.from ? dirname(resolve(SANDBOX_DIR, chunk.from)) : SANDBOX_DIR,
      loader: 'js',
    },
    format: 'cjs',
    plugins: [
      builtinsOfChunks(chunk.name),
      sourcePatches(),
      {
        name: 'prelude-modules',
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData === 'resolving' || args.kind === 'entry-point') return undefined;
            // A package never imports our modules: resolving its imports twice would cost
            // a plugin round trip each (hundreds in readable-stream and assert).
            if (args.importer.includes('/node_modules/')) return undefined;
            const found = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              importer: args.importer,
              pluginData: 'resolving',
            });
            // Only our own modules are shared: a package the chunk needs is bundled into it.
            const ours = !found.path.includes('/node_modules/');
            if (found.errors.length > 0 || !ours || !inPrelude.has(found.path)) return undefined;
            const id = relative(SANDBOX_DIR, found.path);
            shared.add(id);
            return { path: id, external: true };
          });
        },
      },
    ],
  });
  return { code: result.outputFiles?.[0]?.text ?? '', shared: [...shared] };
}
