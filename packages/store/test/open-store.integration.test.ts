import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { deployVersion, migrationsDir, openStore } from '../src/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mini-lambda-open-store-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('opens the embedded default, deploys, and keeps everything across a restart', async () => {
  const first = await openStore({ dataDir, migrationsDir });
  expect(first.embedded).toBe(true);
  const v1 = await deployVersion(first, 'kept-fn', {
    code: 'export const handler = () => 1',
    handler: 'event',
  });
  const v2 = await deployVersion(first, 'kept-fn', {
    code: 'export const handler = () => 1',
    handler: 'event',
  });
  expect(v2.sha256).toBe(v1.sha256); // same code, one object
  await first.close();

  const second = await openStore({ dataDir, migrationsDir });
  const latest = await second.registry.version('kept-fn');
  expect(latest).toMatchObject({ version: 2 });
  expect(await second.bundles.get(latest?.sha256 ?? '')).toBe('export const handler = () => 1');
  await second.close();
});

it('writes no row when the bundle object cannot be written', async () => {
  // Real storage that is down: an S3 client pointed at a closed loopback port.
  const store = await openStore({
    dataDir: join(dataDir, 'down'),
    migrationsDir,
    s3: { endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b', bucket: 'down' },
  });
  await expect(
    deployVersion(store, 'never', { code: 'export const handler = () => 2', handler: 'event' }),
  ).rejects.toBeTruthy();
  expect(await store.registry.version('never')).toBeUndefined();
  await store.close();
});
