import { makeZip } from '@mini-lambda/testkit/zip';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundler } from '../src/index.ts';
import { runInNode } from './run-in-node.ts';

const bundler = createBundler({ keepIdle: 1 });
afterAll(() => bundler.close());

const js = (source: string) => bundler.bundle({ kind: 'module', source, typescript: false });
const archive = async (files: Parameters<typeof makeZip>[0]) =>
  bundler.bundle({ kind: 'archive', zip: await makeZip(files) });

async function failure(work: Promise<unknown>) {
  try {
    await work;
  } catch (err) {
    return err as { code: string; message: string; details: { errors: unknown[] } };
  }
  throw new Error('expected the bundle to fail');
}

/** Own keys of what Node itself gives `import * as x from "node:<id>"`, sorted. */
const nodeNamespaceKeys = async (id: string) =>
  Object.keys(await import(/* @vite-ignore */ `node:${id}`)).sort();

describe('Node built-ins', () => {
  it('gives every import form Node’s shape, and asks the loader once per module', async () => {
    const out = await js(`
      import { Buffer } from 'node:buffer';
      import EventEmitter from 'events';
      import * as path from 'path';
      import { once } from 'node:events';
      const { promisify } = require('util');
      const events = require('events');
      export async function handler() {
        const crypto = await import('node:crypto');
        const emitter = new EventEmitter();
        setTimeout(() => emitter.emit('go', 7));
        const [seven] = await once(emitter, 'go');
        return {
          buffer: Buffer === globalThis.Buffer && Buffer.from('hi').toString('base64'),
          eventEmitter: EventEmitter === process.getBuiltinModule('events') && events === EventEmitter,
          seven,
          pathKeys: Object.keys(path).sort(),
          pathDefault: path.default === process.getBuiltinModule('path'),
          join: path.join('a', '..', 'b'),
          promisify: await promisify((cb) => cb(null, 42))(),
          cryptoKeys: Object.keys(crypto).sort(),
          cryptoDefault: crypto.default === process.getBuiltinModule('crypto'),
          hash: crypto.createHash('sha256').update('x').digest('hex'),
        };
      }`);
    const run = await runInNode(out.code);
    expect(run.loads).toEqual(['buffer', 'events', 'path', 'util', 'crypto']);
    expect(run.result).toEqual({
      buffer: Buffer.from('hi').toString('base64'),
      eventEmitter: true,
      seven: 7,
      pathKeys: await nodeNamespaceKeys('path'),
      pathDefault: true,
      join: 'b',
      promisify: 42,
      cryptoKeys: await nodeNamespaceKeys('crypto'),
      cryptoDefault: true,
      hash: (await import('node:crypto')).createHash('sha256').update('x').digest('hex'),
    });
  });

  it('makes `x` and `node:x` one module, subpaths included, and drops unused imports', async () => {
    const out = await js(`
      import { pipeline } from 'node:stream/promises';
      import { Buffer } from 'buffer'; // unused: costs nothing
      import 'node:events';
      const again = require('stream/promises');
      export const handler = () => ({ same: pipeline === again.pipeline, types: typeof pipeline });`);
    expect(out.warnings).toEqual([]);
    const run = await runInNode(out.code);
    expect(run.loads).toEqual(['stream/promises']);
    expect(run.result).toEqual({ same: true, types: 'function' });
  });

  it('puts nothing of the loader into a function that imports no built-in', async () => {
    const out = await js('export const handler = () => process.env.NODE_ENV ?? "unset"');
    expect(out.code).not.toContain('mini-lambda.node');
    // The function's environment decides NODE_ENV at run time, not the bundler.
    expect(out.code).toContain('process.env.NODE_ENV');
  });

  it('takes the built-in over an npm package of its name; `buffer/` is the package', async () => {
    const out = await archive({
      'index.js': `
        import { Buffer } from 'buffer';
        import npm from 'buffer/';
        import EventEmitter from 'events';
        export const handler = () => [Buffer === globalThis.Buffer, npm, typeof EventEmitter.once];`,
      'node_modules/buffer/package.json': JSON.stringify({ name: 'buffer', main: 'index.js' }),
      'node_modules/buffer/index.js': 'module.exports = "npm buffer"',
      'node_modules/events/package.json': JSON.stringify({ name: 'events', main: 'events.js' }),
      'node_modules/events/events.js': 'module.exports = function NpmEvents() {}',
    });
    const run = await runInNode(out.code);
    expect(run.result).toEqual([true, 'npm buffer', 'function']);
    expect(run.loads).toEqual(['buffer', 'events']);
    expect(out.code).not.toContain('NpmEvents');
  });
});

describe('a package’s browser map', () => {
  it('wins over the built-in: false is an empty module, a file is that file', async () => {
    const out = await archive({
      'index.js': 'export { default as handler } from "foo"',
      'node_modules/foo/package.json': JSON.stringify({
        name: 'foo',
        main: 'index.js',
        browser: { fs: false, crypto: './crypto-shim.js', './optional.js': false },
      }),
      // fs is required, on a path the browser build does not take.
      'node_modules/foo/index.js': `
        const fs = require('fs');
        const crypto = require('crypto');
        const optional = require('./optional.js');
        module.exports = () => [
          typeof fs.readFileSync === 'function' ? fs.readFileSync('/etc/hostname', 'utf8') : 'no fs',
          crypto.shim,
          JSON.stringify(optional),
        ];`,
      'node_modules/foo/crypto-shim.js': 'exports.shim = "crypto shim"',
      'node_modules/foo/optional.js': 'throw new Error("the Node-only file was bundled")',
    });
    const run = await runInNode(out.code);
    expect(run.result).toEqual(['no fs', 'crypto shim', '{}']);
    expect(run.loads).toEqual([]);
  });

  it('is still held to the upload', async () => {
    const err = await failure(
      archive({
        'index.js': 'export { default as handler } from "foo"',
        'node_modules/foo/package.json': JSON.stringify({
          name: 'foo',
          browser: { crypto: '../../../../../../../../etc/hostname' },
        }),
        'node_modules/foo/index.js': 'module.exports = () => require("crypto")',
      }),
    );
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringMatching(/"crypto" resolves outside the upload/),
    });
  });
});

describe('refused built-ins', () => {
  it('names the module, the reason and the importing file, with its position', async () => {
    const err = await failure(
      archive({
        'index.js': 'import x from "foo"; export const handler = () => x',
        'node_modules/foo/package.json': JSON.stringify({ name: 'foo', main: 'lib/x.js' }),
        'node_modules/foo/lib/x.js':
          '// the fs version\nmodule.exports = require("fs").readFileSync',
      }),
    );
    const text =
      'Node built-in "fs" is not available in functions: functions have no file system (imported by node_modules/foo/lib/x.js)';
    expect(err.code).toBe('BuildFailed');
    expect(err.message).toBe(`Build failed: ${text} (node_modules/foo/lib/x.js:2:25)`);
    expect(err.details.errors).toEqual([
      { text, file: 'node_modules/foo/lib/x.js', line: 2, column: 25 },
    ]);
  });

  it.each([
    [
      'import { exec } from "node:child_process"',
      'child_process',
      'functions cannot start processes',
    ],
    ['const m = require("net")', 'net', 'functions have no sockets (use fetch)'],
    ['const m = await import("fs/promises")', 'fs/promises', 'functions have no file system'],
    [
      'import "node:http"',
      'http',
      'functions have no sockets (use fetch, or the fetch handler style to serve HTTP)',
    ],
    ['import "punycode"', 'punycode', 'it is not one of the built-ins functions provide'],
    ['import "path/win32"', 'path/win32', 'it is not one of the built-ins functions provide'],
    ['import "node:test"', 'test', 'it is not one of the built-ins functions provide'],
    ['import "node:nope"', 'nope', 'Node has no such module'],
    ['import "node:constructor"', 'constructor', 'Node has no such module'],
  ])('refuses %s', async (line, name, reason) => {
    const err = await failure(js(`${line}; export const handler = () => 1`));
    const text = `Node built-in "${name}" is not available in functions: ${reason} (imported by index.js)`;
    expect(err).toMatchObject({
      code: 'BuildFailed',
      details: { errors: [{ text, file: 'index.js', line: 1 }] },
    });
  });

  it('lists every refused import', async () => {
    const err = await failure(js('import "fs"; import "vm"; export const handler = () => 1'));
    expect(err.details.errors).toEqual([
      expect.objectContaining({ text: expect.stringContaining('"fs"'), column: 7 }),
      expect.objectContaining({ text: expect.stringContaining('"vm"'), column: 20 }),
    ]);
  });

  it('refuses `node:fs` and `fs` even when node_modules has a package "fs"', async () => {
    const files = {
      'node_modules/fs/package.json': JSON.stringify({ name: 'fs', main: 'index.js' }),
      'node_modules/fs/index.js': 'module.exports = "npm fs"',
    };
    for (const spec of ['fs', 'node:fs']) {
      const err = await failure(
        archive({
          ...files,
          'index.js': `import x from "${spec}"; export const handler = () => x`,
        }),
      );
      expect(err.message).toMatch(/Node built-in "fs" is not available in functions/);
    }
  });

  it('uses an npm package standing in for a built-in functions lack (punycode)', async () => {
    const out = await archive({
      'index.js': 'import p from "punycode"; export const handler = () => p',
      'node_modules/punycode/package.json': JSON.stringify({ name: 'punycode', main: 'p.js' }),
      'node_modules/punycode/p.js': 'module.exports = "npm punycode"',
    });
    expect((await runInNode(out.code)).result).toBe('npm punycode');
  });

  it('leaves an import the code catches to fail at run time, with a warning', async () => {
    const out = await js(`
      let fs;
      try { fs = require('fs'); } catch { fs = null; }
      export async function handler() {
        const net = await import('node:net').catch(() => null);
        return [fs, net];
      }`);
    expect(out.warnings).toEqual([
      {
        text: 'Node built-in "fs" is not available in functions: functions have no file system (imported by index.js); the import is left to fail at run time, where the code catches it',
        file: 'index.js',
        line: 3,
        column: 25,
      },
      expect.objectContaining({
        text: expect.stringMatching(/^Node built-in "net" .* catches it$/),
      }),
    ]);
    // In the isolate as here (no `require`, no node:net), both fail and are caught.
    const run = await runInNode(out.code.replace('import("node:net")', 'import("node:nope")'));
    expect(run.result).toEqual([null, null]);
  });
});

describe('fetch packages', () => {
  it('become the platform’s fetch in node-fetch@2’s shape, without touching the global', async () => {
    const out = await archive({
      'index.js': `
        import fetch from 'node-fetch';
        import { Headers, Request, Response, FetchError } from 'node-fetch';
        import 'isomorphic-fetch';
        import 'cross-fetch/polyfill';
        const required = require('node-fetch');
        const cross = require('cross-fetch');
        export async function handler() {
          const response = await fetch('data:text/plain,hello');
          const own = globalThis.fetch;
          globalThis.fetch = async () => 'looked up at each call';
          const late = await fetch('data:,x');
          globalThis.fetch = own;
          return {
            text: await response.text(),
            late,
            wrapper: fetch !== globalThis.fetch && typeof fetch === 'function',
            shapes: [required === fetch, required.default === fetch, required.fetch === fetch, cross === fetch],
            classes: [Headers === globalThis.Headers, Request === globalThis.Request, Response === globalThis.Response],
            fetchError: [new FetchError('m', 'system') instanceof Error, new FetchError('m', 'x').name],
          };
        }`,
      // An installed node-fetch is not bundled: its Node build needs http.
      'node_modules/node-fetch/package.json': JSON.stringify({
        name: 'node-fetch',
        main: 'lib/index.js',
      }),
      'node_modules/node-fetch/lib/index.js': 'module.exports = require("http")',
    });
    const run = await runInNode(out.code);
    expect(run.result).toEqual({
      text: 'hello',
      late: 'looked up at each call',
      wrapper: true,
      shapes: [true, true, true, true],
      classes: [true, true, true],
      fetchError: [true, 'FetchError'],
    });
    expect(run.fetchUntouched).toBe(true);
    expect(run.loads).toEqual([]);
    expect(out.warnings).toEqual([]);
  });
});
