// The server as its own process (`node --no-node-snapshot packages/server/src/main.ts`), as
// production, make dev, the benchmarks and the loopback cluster run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ReadyMessage, readyMessageSchema } from '@mini-lambda/core';

/** The server's entry point, started by path: the test kit does not import the server. */
export const SERVER_MAIN = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url));
/** The API key of servers started here (unless `env` gives another). */
export const PROCESS_KEY = 'process-key-0123456789abcdef';

/** A running server process. */
export interface ServerProcess {
  url: string;
  port: number;
  instanceId: string;
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

/**
 * Resolves with the `ReadyMessage` a child started with an IPC channel sends once it
 * listens (the server's main.ts does), then closes the channel; rejects when the child
 * exits first or sends anything else.
 */
export function waitForReady(child: ChildProcess, what = 'server'): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${what} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: unknown) => {
      child.off('exit', onExit);
      if (child.connected) child.disconnect(); // one message; the channel would keep us alive
      const ready = readyMessageSchema.safeParse(message);
      if (ready.success) resolve(ready.data);
      else
        reject(new Error(`${what} sent ${JSON.stringify(message)} instead of its ready message`));
    });
  });
}

/**
 * Starts the server on a free loopback port (embedded default unless `env` says
 * otherwise) and resolves once it has said it is ready. Its log lines are dropped.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: { dataDir?: string } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ml-process-'));
  const child = spawn(process.execPath, ['--no-node-snapshot', SERVER_MAIN], {
    env: {
      ...environmentWithoutOurs(),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MINI_LAMBDA_API_KEY: PROCESS_KEY,
      INSTANCE_ID: 'process',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const removeDataDir = () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let ready: ReadyMessage;
  try {
    ready = await waitForReady(child);
  } catch (err) {
    child.kill('SIGKILL'); // a no-op when it has exited already
    await exited;
    removeDataDir();
    throw err;
  }
  const { url, port, instanceId } = ready;
  return {
    url,
    port,
    instanceId,
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
      if (res.status !== 201) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      removeDataDir();
      return code;
    },
  };
}
