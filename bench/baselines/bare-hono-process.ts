import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForReady } from '@mini-lambda/testkit/server-process';

const SCRIPT = fileURLToPath(new URL('./bare-hono.ts', import.meta.url));

/**
 * A bare Hono baseline as its own process, like the server it is compared with: the hello
 * route by default, or another script (given `args`) that sends the same ready message when
 * it listens.
 */
export async function startBareHono(
  script = SCRIPT,
  args: string[] = [],
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const { url } = await waitForReady(child, 'bare hono');
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
