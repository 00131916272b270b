/**
 * Node built-ins a function may import, as `node:x` or bare `x` (docs/functions.md,
 * "Node.js compatibility"). Each is a module of the runtime, compiled into an isolate
 * the first time a function requires it; the bundler leaves it as a request for that.
 */
export const NODE_MODULES = [
  'assert',
  'assert/strict',
  'async_hooks',
  'buffer',
  'crypto',
  'diagnostics_channel',
  'events',
  'os',
  'path',
  'path/posix',
  'perf_hooks',
  'process',
  'querystring',
  'stream',
  'stream/promises',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'tty',
  'url',
  'util',
  'util/types',
  'zlib',
] as const;

export type NodeModuleName = (typeof NODE_MODULES)[number];

const AVAILABLE: ReadonlySet<string> = new Set(NODE_MODULES);

/** The built-in a specifier names (`node:buffer`, `buffer` → `buffer`), if one we have. */
export function nodeModuleName(specifier: string): NodeModuleName | undefined {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return AVAILABLE.has(name) ? (name as NodeModuleName) : undefined;
}

/** Why a built-in that cannot work in a function is refused at deploy. */
export const REFUSED_NODE_MODULES: Readonly<Record<string, string>> = {
  fs: 'functions have no file system',
  child_process: 'functions cannot start processes',
  net: 'functions have no sockets (use fetch)',
  tls: 'functions have no sockets (use fetch)',
  dgram: 'functions have no sockets',
  dns: 'functions have no resolver (fetch resolves host names)',
  http: 'functions have no sockets (use fetch, or the fetch handler style to serve HTTP)',
  https: 'functions have no sockets (use fetch)',
  http2: 'functions have no sockets (use fetch)',
  cluster: 'functions cannot start processes',
  worker_threads: 'functions cannot start threads',
  vm: 'functions cannot compile code at run time',
  v8: 'V8 internals are not exposed to functions',
  inspector: 'V8 internals are not exposed to functions',
  module: 'modules are resolved at deploy, not at run time',
  repl: 'functions have no terminal',
};

/** Packages that only need `fetch`: they resolve to the platform's fetch, as unenv aliases them. */
export const FETCH_PACKAGES = ['node-fetch', 'cross-fetch', 'isomorphic-fetch'] as const;

/**
 * The global function the bundle calls for a built-in (`module.exports = load("buffer")`):
 * defined by the prelude, neither writable nor configurable.
 */
export const NODE_LOADER_KEY = 'mini-lambda.node';
