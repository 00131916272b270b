// The deploy path end to end below HTTP: upload → bundle → store. It lives with the store
// because the guarantee is the store's (no row, no object for a refused upload); the
// server's deployer calls exactly these two steps in this order.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '@mini-lambda/bundler';
import { makeZip, renameEntry } from '@mini-lambda/testkit/zip';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deployVersion, migrationsDir, openStore, type Store } from '../src/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mini-lambda-pipeline-'));
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir, migrationsDir });
});

afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function deploy(name: string, zip: Buffer) {
  const built = await bundle({ kind: 'archive', zip });
  // Every archive here exports `handler`; which style it is, the server learns by evaluating it.
  return deployVersion(store, name, { code: built.code, handler: 'event' });
}

const storedObjects = () => {
  try {
    return readdirSync(join(dataDir, 'objects', 'bundles'));
  } catch {
    return [];
  }
};

it('deploys a good archive: one object, one row', async () => {
  const version = await deploy(
    'good',
    await makeZip({ 'index.ts': 'export const handler = () => "ok"' }),
  );
  expect(version).toMatchObject({ name: 'good', version: 1, handler: 'event' });
  expect(storedObjects()).toEqual([`${version.sha256}.js`]);
});

it.each([
  [
    'a zip bomb',
    async () =>
      makeZip({
        'index.js': 'export const handler = () => 1',
        'zeros.bin': Buffer.alloc(20 * 1024 * 1024),
      }),
  ],
  [
    'a ../ entry',
    async () =>
      renameEntry(
        await makeZip({ 'index.js': 'export const handler = () => 1', 'xx/e.js': 'x' }),
        'xx/e.js',
        '../e.js',
      ),
  ],
  [
    'a symlink entry',
    async () =>
      makeZip({
        'index.js': 'export const handler = () => 1',
        link: { data: '/etc/passwd', mode: 0o120777 },
      }),
  ],
])('refuses %s with nothing written to storage or the database', async (_, zip) => {
  const objectsBefore = storedObjects();
  const rowsBefore = await store.registry.list();
  await expect(deploy('refused', await zip())).rejects.toMatchObject({ code: 'InvalidArchive' });
  expect(storedObjects()).toEqual(objectsBefore);
  expect(await store.registry.list()).toEqual(rowsBefore);
  expect(await store.registry.version('refused')).toBeUndefined();
});
