import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** An S3 endpoint (s3rver) on a loopback port, for tests, benchmarks and the cluster. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** s3rver accepts these fixed credentials. */
  accessKey: string;
  secretKey: string;
  /** Stops the endpoint, keeping its objects; `resume()` starts it again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Starts s3rver on a free loopback port, its objects in a new temporary directory. */
export async function startS3(): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'mini-lambda-s3rver-'));
  const serve = async (port: number) => {
    const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory });
    return { server, port: (await server.run()).port };
  };
  let running: S3rver | undefined;
  let port = 0;
  try {
    ({ server: running, port } = await serve(0));
  } catch (err) {
    rmSync(directory, { recursive: true, force: true });
    throw err;
  }
  const pause = async () => {
    const server = running;
    running = undefined;
    await server?.close();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    pause,
    async resume() {
      running ??= (await serve(port)).server;
    },
    async stop() {
      try {
        await pause();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}
