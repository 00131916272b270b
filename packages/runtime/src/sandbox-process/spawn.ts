import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuntimeLimits } from '@mini-lambda/core';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const PRLIMIT = '/usr/bin/prlimit';

export interface SpawnOptions {
  /** Run as this user when we are root (the server's files and environment are not theirs). */
  user?: { uid: number; gid: number };
  /** The sandbox's entry module; default main.ts (tests start a fake sandbox). */
  entry?: string;
}

/**
 * Starts a sandbox process with what the OS gives cheaply: an empty environment (no
 * database URL, no keys), stdin closed, `/` as its directory, no core dumps and a bounded
 * number of open files (prlimit, when installed), and, when we run as root, another
 * user. Its fd 3 is the frame channel; stdout and stderr go to the caller.
 */
export function spawnSandbox(limits: RuntimeLimits, options: SpawnOptions = {}): ChildProcess {
  const entry = options.entry ?? MAIN;
  const node = [process.execPath, '--no-node-snapshot', entry, JSON.stringify(limits)];
  const command = existsSync(PRLIMIT)
    ? [PRLIMIT, '--core=0', '--nofile=1024', '--', ...node]
    : node;
  return spawn(command[0] as string, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: {},
    cwd: '/',
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
}
