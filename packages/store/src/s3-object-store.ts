import { Client } from 'minio';
import { assertKey, type ObjectStore } from './object-store.ts';

export interface S3Options {
  /** e.g. `http://127.0.0.1:9000` */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
}

/**
 * Objects in S3 (MinIO in production, s3rver in tests) through the `minio` client, path
 * style. The bucket is created on first use when it is missing.
 */
export function createS3ObjectStore(options: S3Options): ObjectStore {
  const url = new URL(options.endpoint);
  const useSSL = url.protocol === 'https:';
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region: options.region ?? 'us-east-1',
    pathStyle: true,
  });
  const { bucket } = options;
  let ready: Promise<void> | undefined;
  const ensureBucket = (): Promise<void> => {
    ready ??= (async () => {
      if (!(await client.bucketExists(bucket)))
        await client.makeBucket(bucket, options.region ?? 'us-east-1');
    })().catch((err: unknown) => {
      ready = undefined; // try again on the next call
      throw err;
    });
    return ready;
  };

  return {
    async put(key, body) {
      await ensureBucket();
      await client.putObject(bucket, assertKey(key), body, body.length);
    },
    async get(key) {
      await ensureBucket();
      try {
        const stream = await client.getObject(bucket, assertKey(key));
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async has(key) {
      await ensureBucket();
      try {
        await client.statObject(bucket, assertKey(key));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      await ensureBucket();
      await client.removeObject(bucket, assertKey(key));
    },
    async check() {
      await ensureBucket();
      // A live round trip every time: ensureBucket remembers its first success.
      if (!(await client.bucketExists(bucket))) throw new Error(`Bucket ${bucket} is gone`);
    },
  };
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}
