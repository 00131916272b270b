import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3ObjectStore } from '../src/index.ts';
import { objectStoreContract } from './object-store-contract.ts';

// A real S3 endpoint (s3rver) on a free loopback port, spoken to with the real minio client.
const directory = mkdtempSync(join(tmpdir(), 'mini-lambda-s3rver-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
let endpoint = '';

beforeAll(async () => {
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const s3 = (bucket = 'bundles-test') =>
  createS3ObjectStore({ endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket });

objectStoreContract('s3', () => s3());

it('creates a missing bucket on first use', async () => {
  const store = s3('fresh-bucket');
  await store.put('k/v', Buffer.from('v'));
  expect((await store.get('k/v'))?.toString()).toBe('v');
});

it('fails its check when the endpoint is down', async () => {
  const down = createS3ObjectStore({
    endpoint: 'http://127.0.0.1:1',
    accessKey: 'a',
    secretKey: 'b',
    bucket: 'x',
  });
  await expect(down.check()).rejects.toBeTruthy();
});
