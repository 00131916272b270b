// The server as its own process (`node --no-node-snapshot src/main.ts`), as production,
// make dev and the benchmarks run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const PROCESS_KEY = 'process-key-0123456789abcdef';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  deploy(name: string, source: string, query?: string): Promise<void>;
  /** SIGTERM, wait for the exit, remove a data directory this helper made. */
  stop(): Promise<number | null>;
}

/**
 * This process's environment minus what configures a server (MINI_LAMBDA_*, DATABASE_URL,
 * S3_*, PORT, POOL_*, SANDBOX*), so a server we start sees only what a test gives it.
 */
export function environmentWithoutOurs(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(MINI_LAMBDA_|DATABASE_URL|S3_|PORT|POOL_|SANDBOX)/.test(k))
      env[k] = v;
  }
  return env;
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the server on a free loopback port (embedded default unless `env` says
 * otherwise) and resolves once its "listening" line is out.
 */
export function startServerProcess(
  env: Record<string, string> = {},
  options: { dataDir?: string } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ml-process-'));
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: {
      ...environmentWithoutOurs(),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: PROCESS_KEY,
      INSTANCE_ID: 'process',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...env,
      LOG_LEVEL: 'info', // the "listening" line carries the port
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
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
        exited,
        async deploy(name, source, query = '') {
          const res = await fetch(`${url}/functions/${name}${query}`, {
            method: 'PUT',
            headers: {
              Authorization: `Bearer ${PROCESS_KEY}`,
              'Content-Type': 'application/javascript',
            },
            body: source,
          });
          if (res.status !== 201)
            throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
        },
        async stop() {
          child.kill('SIGTERM');
          const code = await exited;
          if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
          return code;
        },
      });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`server exited with ${code} before listening: ${out}`)),
    );
  });
}
