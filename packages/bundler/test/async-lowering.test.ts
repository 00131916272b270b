import { makeZip } from '@mini-lambda/testkit/zip';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundler } from '../src/index.ts';
import { runInNode, runSourceInNode, THEN_TRACKING_LOADER } from './run-in-node.ts';

const bundler = createBundler({ keepIdle: 1 });
afterAll(() => bundler.close());

const js = (source: string) => bundler.bundle({ kind: 'module', source, typescript: false });

/** A handler whose store must survive await, for await and an async generator. */
const storeAcrossAwait = (from: string) => `
  import { AsyncLocalStorage } from '${from}';
  const als = new AsyncLocalStorage();
  async function* ticks() { await null; yield als.getStore(); yield als.getStore(); }
  async function work(tag) {
    const seen = [];
    await null;
    seen.push(als.getStore());
    await new Promise((resolve) => setTimeout(resolve, 1));
    seen.push(als.getStore());
    for await (const store of ticks()) seen.push(store);
    return [tag, seen];
  }
  export const handler = () =>
    Promise.all([als.run('a', () => work('a')), als.run('b', () => work('b'))]);`;

describe('AsyncLocalStorage', () => {
  it('lowers every await of a bundle that imports async_hooks, so then-tracking keeps the store', async () => {
    const expected = await runSourceInNode(storeAcrossAwait('node:async_hooks'));
    expect(expected).toEqual([
      ['a', ['a', 'a', 'a', 'a']],
      ['b', ['b', 'b', 'b', 'b']],
    ]);
    for (const from of ['node:async_hooks', 'async_hooks']) {
      const out = await js(storeAcrossAwait(from));
      expect(out.code).not.toMatch(/\bawait\b/);
      const run = await runInNode(out.code, THEN_TRACKING_LOADER);
      expect(run.result).toEqual(expected);
      expect(run.loads).toEqual(['async_hooks']);
    }
  });

  it('lowers code of packages too, when a package imports it', async () => {
    const zip = await makeZip({
      'index.js': `import { track } from 'ctx'; export const handler = async () => { await null; return track(); }`,
      'node_modules/ctx/package.json': JSON.stringify({ name: 'ctx', main: 'index.js' }),
      'node_modules/ctx/index.js': `
        const { AsyncLocalStorage } = require('async_hooks');
        const als = new AsyncLocalStorage();
        exports.track = () => als.run(1, async () => { await null; return als.getStore(); });`,
    });
    const out = await bundler.bundle({ kind: 'archive', zip });
    expect(out.code).not.toMatch(/\bawait\b/);
    expect((await runInNode(out.code, THEN_TRACKING_LOADER)).result).toBe(1);
  });

  it('leaves await alone without async_hooks, where then-tracking would lose the store', async () => {
    // The loader reached behind the bundler's back: nothing tells it to lower.
    const zip = await makeZip({
      'index.js': storeAcrossAwait('./hidden.js'),
      'hidden.js': 'module.exports = globalThis[Symbol.for("mini-lambda.node")]("async_hooks")',
    });
    const out = await bundler.bundle({ kind: 'archive', zip });
    expect(out.code).toMatch(/\bawait null\b/);
    const run = await runInNode(out.code, THEN_TRACKING_LOADER);
    expect(run.result).not.toEqual(await runSourceInNode(storeAcrossAwait('node:async_hooks')));
  });

  it('refuses top-level await in such a bundle, saying why and where', async () => {
    const source = `import { AsyncLocalStorage } from 'node:async_hooks';
const config = await Promise.resolve(1);
export const handler = () => [config, AsyncLocalStorage];`;
    let err: { code?: string; message?: string; details?: unknown } = {};
    try {
      await js(source);
    } catch (e) {
      err = e as typeof err;
    }
    const text =
      'Top-level await cannot be used in a function that imports async_hooks: AsyncLocalStorage needs every await turned into .then, which cannot be done at the top level of a module (move it into the handler or an async function)';
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: `Build failed: ${text} (index.js:2:15)`,
      details: { errors: [{ text, file: 'index.js', line: 2, column: 15 }] },
    });
    // Without async_hooks, top-level await is fine.
    const plain = await js(source.replace(/^import .*\n/, '').replace(', AsyncLocalStorage', ''));
    expect(plain.code).toMatch(/await Promise\.resolve\(1\)/);
  });
});
