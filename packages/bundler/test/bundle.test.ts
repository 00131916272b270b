import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive } from '@mini-lambda/testkit/wait';
import { makeZip, renameEntry } from '@mini-lambda/testkit/zip';
import { describe, expect, it, vi } from 'vitest';
import { BUNDLE_LIMITS, bundle, createBundler } from '../src/index.ts';

const ts = (source: string) => bundle({ kind: 'module', source, typescript: true });
const archive = async (files: Parameters<typeof makeZip>[0], entry?: string) =>
  bundle({ kind: 'archive', zip: await makeZip(files), ...(entry ? { entry } : {}) });

/** Runs `work` and returns the MiniLambdaError it throws (failing the test if it does not). */
async function failure(
  work: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await work;
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected the bundle to fail');
}

describe('bundling modules', () => {
  it('bundles a TypeScript module into one ES module with its hash and exports', async () => {
    const out = await ts(
      'export async function handler(e: { n: number }): Promise<number> { return e.n * 2 }',
    );
    expect(out.exports).toEqual(['handler']);
    expect(out.code).toMatch(/export\s*\{[^}]*handler/);
    expect(out.code).not.toMatch(/: number/);
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.size).toBe(Buffer.byteLength(out.code));
  });

  it('keeps a default export, which evaluating the module decides about', async () => {
    expect((await ts('export default { fetch() { return new Response("hi") } }')).exports).toEqual([
      'default',
    ]);
  });

  it('refuses a module with neither handler nor default export, naming what it exports', async () => {
    expect(await failure(ts('export const x = 1, y = 2'))).toMatchObject({
      code: 'NoHandler',
      message:
        'The module has no handler (neither a `handler` export nor a default export): it exports x, y',
    });
  });

  it('reports a syntax error with its position', async () => {
    const err = await failure(ts('export function handler() {\n  return (\n}'));
    expect(err.code).toBe('BuildFailed');
    expect(err.details.errors).toEqual([
      expect.objectContaining({ file: 'index.ts', line: 3, column: 0 }),
    ]);
  });

  it('reports an unresolved import', async () => {
    const err = await failure(ts('import x from "./missing"; export const handler = () => x'));
    expect(err).toMatchObject({ code: 'BuildFailed', message: expect.stringMatching(/missing/) });
  });

  it.each([
    ['import fs from "fs"', 'fs'],
    ['import { exec as m } from "node:child_process"', 'child_process'],
    ['const m = require("net")', 'net'],
    ['const m = await import("fs/promises")', 'fs/promises'],
  ])('refuses a Node built-in: %s', async (line, name) => {
    // Used, so TypeScript's elision of unused imports does not drop it first.
    const err = await failure(ts(`${line}; export const handler = () => [typeof fs, typeof m]`));
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringContaining(`Node built-in "${name}" is not available in functions`),
    });
  });

  it('refuses imports that reach outside the upload', async () => {
    const err = await failure(
      ts('import secret from "../../../../../../etc/passwd"; export const handler = () => secret'),
    );
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringMatching(/resolves outside the upload/),
    });
  });
});

describe('bundling archives', () => {
  it('follows relative imports across files and picks package.json main', async () => {
    const out = await archive({
      'package.json': JSON.stringify({ main: 'src/main.ts' }),
      'src/main.ts':
        'import { twice } from "./lib/math"; export const handler = (n: number) => twice(n)',
      'src/lib/math.ts': 'export const twice = (n: number) => n * 2',
    });
    expect(out.code).toContain('twice');
    expect(out.exports).toEqual(['handler']);
  });

  it('resolves bare imports from node_modules, preferring the browser build', async () => {
    const out = await archive({
      'index.js': 'import { greet } from "tiny-greet"; export const handler = () => greet()',
      'node_modules/tiny-greet/package.json': JSON.stringify({
        name: 'tiny-greet',
        main: 'node.js',
        browser: 'browser.js',
      }),
      'node_modules/tiny-greet/node.js': 'export const greet = () => "node build"',
      'node_modules/tiny-greet/browser.js': 'export const greet = () => "browser build"',
    });
    expect(out.code).toContain('browser build');
    expect(out.code).not.toContain('node build');
  });

  it('bundles a real npm package shipped in the archive (escape-html, CommonJS)', async () => {
    const dir = fileURLToPath(new URL('../node_modules/escape-html/', import.meta.url));
    const pkg: Record<string, string | Buffer> = {};
    for (const file of await readdir(dir))
      pkg[`node_modules/escape-html/${file}`] = await readFile(join(dir, file));
    const out = await archive({
      'index.ts':
        'import escape from "escape-html"; export const handler = (s: string) => escape(s)',
      ...pkg,
    });
    expect(out.exports).toEqual(['handler']);
    expect(out.code).toContain('matchHtmlRegExp');
    expect(out.code).toContain('&quot;');
  });

  it('uses an explicit entry and refuses one that is missing or escapes', async () => {
    const files = {
      'a.ts': 'export const handler = () => "a"',
      'b.ts': 'export const handler = () => "b"',
    };
    expect((await archive(files, 'b.ts')).code).toContain('"b"');
    expect(await failure(archive(files, 'c.ts'))).toMatchObject({ code: 'BuildFailed' });
    expect(await failure(archive(files, '../a.ts'))).toMatchObject({ code: 'InvalidArchive' });
  });

  it('refuses a package whose browser map points outside the upload', async () => {
    const err = await failure(
      archive({
        'index.js': 'import x from "sneaky"; export const handler = () => x',
        'node_modules/sneaky/package.json': JSON.stringify({
          name: 'sneaky',
          main: '../../../../../../../etc/hostname',
        }),
      }),
    );
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringMatching(/resolves outside the upload/),
    });
  });

  it.each([
    ['a ../ entry', 'xx/evil.js', '../evil.js'],
    ['an absolute entry', 'xetc/evil.js', '/etc/evil.js'],
  ])('refuses %s before writing anything', async (_, from, to) => {
    const zip = renameEntry(
      await makeZip({ 'index.js': 'export const handler = () => 1', [from]: 'x' }),
      from,
      to,
    );
    expect(await failure(bundle({ kind: 'archive', zip }))).toMatchObject({
      code: 'InvalidArchive',
    });
  });

  it.each([
    ['a duplicate entry', { 'a.js': '1', 'b.js': '2' }, 'b.js', 'a.js'],
    ['a file that is also a directory', { a: '1', 'x/b.js': '2' }, 'x/b.js', 'a/b.js'],
    ['a "." entry', { 'index.js': 'export const handler = () => 1', x: '1' }, 'x', '.'],
  ])('refuses %s without naming any path of ours', async (_, files, from, to) => {
    const zip = renameEntry(
      await makeZip({ 'index.js': 'export const handler = () => 1', ...files }),
      from,
      to,
    );
    const err = await failure(bundle({ kind: 'archive', zip }));
    expect(err).toMatchObject({ code: 'InvalidArchive' });
    expect(JSON.stringify(err)).not.toMatch(/mini-lambda-build|\/tmp/);
    expect(err.message).not.toMatch(/mini-lambda-build|\/tmp/);
  });

  it('refuses template-literal imports whose pattern leaves the upload', async () => {
    // A secret beside the upload's temporary directory, which `../` from it reaches.
    const secret = join(tmpdir(), `mini-lambda-secret-${process.pid}.json`);
    await writeFile(secret, '{"password":"hunter2"}');
    try {
      const e = '$' + '{e}'; // the function's own template-literal placeholder
      for (const source of [
        `export const handler = (e) => import(\`../mini-lambda-secret-${e}.json\`)`,
        `export const handler = (e) => require(\`../mini-lambda-secret-${e}.json\`)`,
        `export const handler = (e) => import(\`../mini-lambda-secret-${e}\`, { with: { type: "text" } })`,
      ]) {
        const err = await failure(bundle({ kind: 'module', source, typescript: false }));
        expect(err).toMatchObject({
          code: 'BuildFailed',
          message: expect.stringMatching(/outside the upload/),
        });
        expect(JSON.stringify(err)).not.toMatch(/hunter2|mini-lambda-secret-\d/);
      }
    } finally {
      await rm(secret, { force: true });
    }
  });

  it('refuses a symlink entry', async () => {
    const zip = await makeZip({
      'index.js': 'export const handler = () => 1',
      link: { data: '/etc/passwd', mode: 0o120777 },
    });
    expect(await failure(bundle({ kind: 'archive', zip }))).toMatchObject({
      code: 'InvalidArchive',
      message: expect.stringMatching(/symlink/),
    });
  });

  it('refuses a zip bomb by the bytes it really inflates', async () => {
    const zip = await makeZip({
      'index.js': 'export const handler = () => 1',
      'zeros.bin': Buffer.alloc(20 * 1024 * 1024),
    });
    expect(zip.length).toBeLessThan(200 * 1024);
    expect(await failure(bundle({ kind: 'archive', zip }))).toMatchObject({
      code: 'InvalidArchive',
      message: expect.stringMatching(/zip bomb/),
    });
  });

  it('refuses too many entries, too many bytes and a corrupt file', async () => {
    const limits = { ...BUNDLE_LIMITS, maxEntries: 3, maxExpandedBytes: 1000 };
    const many = await makeZip({
      'a.js': '1',
      'b.js': '2',
      'c.js': '3',
      'index.js': 'export const handler = () => 1',
    });
    expect(await failure(bundle({ kind: 'archive', zip: many }, { limits }))).toMatchObject({
      code: 'InvalidArchive',
    });
    const big = await makeZip({ 'index.js': `export const handler = () => "${'x'.repeat(2000)}"` });
    expect(await failure(bundle({ kind: 'archive', zip: big }, { limits }))).toMatchObject({
      code: 'InvalidArchive',
    });
    const corrupt = Buffer.from('PK\u0003\u0004 this is not really a zip file at all');
    expect(await failure(bundle({ kind: 'archive', zip: corrupt }))).toMatchObject({
      code: 'InvalidArchive',
    });
  });

  it('refuses an archive or a bundle over its size bound', async () => {
    const zip = await makeZip({ 'index.js': `export const handler = () => "${'y'.repeat(5000)}"` });
    const tinyArchive = { ...BUNDLE_LIMITS, maxArchiveBytes: 100 };
    expect(await failure(bundle({ kind: 'archive', zip }, { limits: tinyArchive }))).toMatchObject({
      code: 'PayloadTooLarge',
    });
    const tinyBundle = { ...BUNDLE_LIMITS, maxBundleBytes: 1000 };
    expect(await failure(bundle({ kind: 'archive', zip }, { limits: tinyBundle }))).toMatchObject({
      code: 'PayloadTooLarge',
    });
  });

  it('ends a source that crashes esbuild in BuildFailed, and keeps bundling others', async () => {
    const deep = `export function handler() ${'{'.repeat(200_000)}${'}'.repeat(200_000)}`;
    const err = await failure(bundle({ kind: 'module', source: deep, typescript: false }));
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringMatching(/crashed|stopped/),
    });
    expect((await ts('export const handler = () => "still fine"')).code).toContain('still fine');
  }, 60_000);

  it('ends a 50 MB source in an error within a bound', async () => {
    const huge = `export const handler = () => "${'x'.repeat(50 * 1024 * 1024)}"`;
    const started = performance.now();
    const err = await failure(bundle({ kind: 'module', source: huge, typescript: false }));
    expect(err).toMatchObject({
      code: 'PayloadTooLarge',
      message: expect.stringMatching(/bundle/),
    });
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('cancels a build past its time bound', async () => {
    const slow = `export const handler = () => ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const err = await failure(
      bundle({ kind: 'module', source: slow, typescript: false }, { timeoutMs: 50 }),
    );
    expect(err).toMatchObject({
      code: 'BuildFailed',
      message: expect.stringMatching(/within 50 ms/),
    });
  }, 60_000);

  it('leaves no temporary directory behind', async () => {
    const before = (await readdir(tmpdir())).filter((d) =>
      d.startsWith('mini-lambda-build-'),
    ).length;
    await ts('export const handler = () => 1');
    await failure(ts('export const handler = ('));
    const after = (await readdir(tmpdir())).filter((d) =>
      d.startsWith('mini-lambda-build-'),
    ).length;
    expect(after).toBe(before);
  });
});

describe('createBundler', () => {
  const module = (source: string) => ({ kind: 'module' as const, source, typescript: false });

  it('reuses a worker after a success and replaces it after a crash', async () => {
    const bundler = createBundler({ keepIdle: 1 });
    try {
      await bundler.bundle(module('export const handler = () => 1'));
      const [first] = bundler.idlePids();
      expect(first).toBeGreaterThan(0);
      expect((await bundler.bundle(module('export const handler = () => 2'))).code).toContain('2');
      expect(bundler.idlePids()).toEqual([first]);

      const deep = `export function handler() ${'{'.repeat(200_000)}${'}'.repeat(200_000)}`;
      expect(await failure(bundler.bundle(module(deep)))).toMatchObject({ code: 'BuildFailed' });
      expect(bundler.idlePids()).toEqual([]);
      await vi.waitFor(() => expect(alive(first as number)).toBe(false));
      await bundler.bundle(module('export const handler = () => 3'));
      expect(bundler.idlePids()).not.toContain(first);
    } finally {
      bundler.close();
    }
  }, 60_000);

  it('does not reuse a worker whose build failed, and ends idle workers on close', async () => {
    const bundler = createBundler({ keepIdle: 2 });
    await failure(bundler.bundle(module('export const handler = (')));
    expect(bundler.idlePids()).toEqual([]);
    await bundler.bundle(module('export const handler = () => 1'));
    const pids = bundler.idlePids();
    expect(pids).toHaveLength(1);
    bundler.close();
    await vi.waitFor(() => expect(pids.every((pid) => !alive(pid))).toBe(true));
  }, 60_000);
});
