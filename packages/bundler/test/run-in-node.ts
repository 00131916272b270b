import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Node's own modules behind the loader, which records what it is asked for. */
export const NODE_LOADER = `const load = (id) => require("node:" + id);`;

/**
 * A stand-in for the runtime's context tracking: a store that follows a callback only
 * through Promise.prototype.then (a native `await` does not call it), and an
 * AsyncLocalStorage on top. Everything else is Node's.
 */
export const THEN_TRACKING_LOADER = `
let current;
const then = Promise.prototype.then;
const bind = (f) => {
  if (typeof f !== "function") return f;
  const saved = current;
  return function (value) {
    const outer = current;
    current = saved;
    try { return f.call(this, value); } finally { current = outer; }
  };
};
Promise.prototype.then = function (ok, fail) { return then.call(this, bind(ok), bind(fail)); };
class AsyncLocalStorage {
  getStore() { return current; }
  run(store, fn, ...args) {
    const outer = current;
    current = store;
    try { return fn(...args); } finally { current = outer; }
  }
}
const load = (id) => (id === "async_hooks" ? { AsyncLocalStorage } : require("node:" + id));`;

export interface NodeRun {
  /** The built-in ids the bundle asked the loader for, in order. */
  loads: string[];
  /** What `await handler()` returned (JSON). */
  result: unknown;
  /** Whether globalThis.fetch is still Node's own afterwards. */
  fetchUntouched: boolean;
}

/**
 * Runs a bundle (an ES module) in a Node process of its own, the loader the runtime
 * defines being played by `loader` (source defining `load(id)`), and returns what its
 * `handler()` resolved to. The loader is the contract between the bundle and the runtime,
 * so this tests the bundler's output against Node's modules.
 */
export async function runInNode(code: string, loader = NODE_LOADER): Promise<NodeRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bundler-run-'));
  try {
    await writeFile(join(dir, 'bundle.mjs'), code);
    await writeFile(
      join(dir, 'run.mjs'),
      `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const loads = [];
${loader}
Object.defineProperty(globalThis, Symbol.for("mini-lambda.node"), {
  value: (id) => { loads.push(id); return load(id); },
});
const fetch = globalThis.fetch;
const { handler } = await import("./bundle.mjs");
const result = await handler();
process.stdout.write(JSON.stringify({ loads, result, fetchUntouched: globalThis.fetch === fetch }));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'run.mjs')], {
      timeout: 20_000,
    });
    return JSON.parse(stdout) as NodeRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs an unbundled ES module in plain Node and returns what its `handler()` resolved to. */
export async function runSourceInNode(source: string): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'bundler-run-'));
  try {
    await writeFile(join(dir, 'index.mjs'), source);
    const script = `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
process.stdout.write(JSON.stringify(await handler()));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 20_000 },
    );
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
