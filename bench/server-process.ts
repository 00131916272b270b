// A mini-lambda server as its own process, as production runs it, for benchmarks.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../packages/server/src/main.ts', import.meta.url));
export const BENCH_KEY = 'bench-key-0123456789abcdef';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  deploy(name: string, source: string, query?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `main.ts` on a free loopback port with `env` on top of an embedded default. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: BENCH_KEY,
      INSTANCE_ID: 'bench',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const port = /"port":(\d+).*"msg":"listening"/.exec(out)?.[1];
      if (!port) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining its log lines
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        child,
        async deploy(name, source, query = '') {
          const res = await fetch(`${url}/functions/${name}${query}`, {
            method: 'PUT',
            headers: {
              Authorization: `Bearer ${BENCH_KEY}`,
              'Content-Type': 'application/javascript',
            },
            body: source,
          });
          if (res.status !== 201)
            throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
        },
        async stop() {
          child.kill('SIGTERM');
          await exited;
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    };
    child.stdout?.on('data', onData);
    void exited.then(() => reject(new Error(`server exited before listening: ${out}`)));
  });
}
