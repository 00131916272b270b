// Waiting on conditions, URLs and processes: the one copy tests, benchmarks and the
// loopback cluster share.
import type { ChildProcess } from 'node:child_process';

/** How long `until` polls and how often. */
export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Polls `check` until it holds; throws once `timeoutMs` (10 s) has passed without. */
export async function until(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 25 }: UntilOptions = {},
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
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

/** Polls `url` until it answers 2xx; throws if `child` exits first or `ms` passes. */
export async function waitForUrl(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (performance.now() > end) throw new Error(`${url} did not come up in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
