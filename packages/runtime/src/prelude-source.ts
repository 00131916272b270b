import { dirname, relative, resolve } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const SANDBOX_DIR = new URL('./sandbox/', import.meta.url).pathname;
const ENTRY = resolve(SANDBOX_DIR, 'prelude/index.js');
const CHUNKS_MODULE = resolve(SANDBOX_DIR, 'prelude/chunks.js');
const GLOBAL = '__miniLambdaPrelude';

/**
 * Parts of the platform loaded into an isolate only when first used, by the `require()`
 * that asks for them: the specifier required, the module requiring it, and the chunk.
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

export type ChunkName = (typeof CHUNKS)[number]['name'];

/** The prelude script and the chunks it may load, by name. */
export interface PreludeSources {
  prelude: string;
  chunks: Readonly<Record<ChunkName, string>>;
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
  // 1. Which modules the prelude holds (with every chunk left out)...
  const first = await buildPrelude(new Set());
  const inPrelude = new Set(
    Object.keys(first.metafile.inputs).map((file) => resolve(SANDBOX_DIR, file)),
  );
  // 2. ...so each chunk imports those from the prelude instead of bundling copies...
  const chunks = await Promise.all(CHUNKS.map((chunk) => buildChunk(chunk, inPrelude)));
  const shared = new Set(chunks.flatMap((c) => c.shared));
  // 3. ...which the prelude then hands them.
  const prelude = await buildPrelude(shared);
  return {
    prelude: `(function(){${prelude.code}return ${GLOBAL}.install;})()`,
    chunks: Object.fromEntries(
      CHUNKS.map((chunk, i) => [
        chunk.name,
        `(function(require,module,exports){${chunks[i]?.code}})`,
      ]),
    ) as Record<ChunkName, string>,
  };
}

async function buildPrelude(shared: Set<string>) {
  const result = await build({
    ...COMMON,
    entryPoints: [ENTRY],
    format: 'iife',
    globalName: GLOBAL,
    metafile: true,
    plugins: [chunkStubs(), sharedRegistry(shared)],
  });
  return { code: result.outputFiles?.[0]?.text ?? '', metafile: result.metafile };
}

/** Each chunk's require() becomes a load of the chunk from the host. */
function chunkStubs(): Plugin {
  return {
    name: 'chunk-stubs',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'require-call') return undefined;
        const from = relative(SANDBOX_DIR, args.importer);
        const chunk = CHUNKS.find((c) => c.specifier === args.path && c.from === from);
        return chunk ? { path: chunk.name, namespace: 'chunk' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(CHUNKS_MODULE)}).loadChunk(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: SANDBOX_DIR,
      }));
    },
  };
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

async function buildChunk(chunk: (typeof CHUNKS)[number], inPrelude: Set<string>) {
  const shared = new Set<string>();
  const result = await build({
    ...COMMON,
    stdin: {
      contents: `module.exports = require(${JSON.stringify(chunk.specifier)});`,
      resolveDir: dirname(resolve(SANDBOX_DIR, chunk.from)),
      loader: 'js',
    },
    format: 'cjs',
    plugins: [
      {
        name: 'prelude-modules',
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData === 'resolving' || args.kind === 'entry-point') return undefined;
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
