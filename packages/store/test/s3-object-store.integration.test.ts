import { startS3, type TestS3 } from '@mini-lambda/testkit/s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3ObjectStore } from '../src/index.ts';
import { objectStoreContract } from './object-store-contract.ts';

// A real S3 endpoint (s3rver) on a free loopback port, spoken to with the real minio client.
let server: TestS3;
let endpoint = '';

beforeAll(async () => {
  server = await startS3();
  endpoint = server.url;
});

afterAll(() => server?.stop());

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
