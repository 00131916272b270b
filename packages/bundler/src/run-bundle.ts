import { fork } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, MiniLambdaError } from '@mini-lambda/core';
import type { BundleInput, BundleOptions, BundleResult } from './bundle.ts';

const WORKER = fileURLToPath(new URL('./bundle-worker.ts', import.meta.url));

type Reply =
  | { ok: true; result: BundleResult }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/**
 * Bundles an upload into one self-contained ES module for the runtime, in a child
 * process of its own: a build that crashes esbuild, or runs past its time, is killed
 * and reported as BuildFailed, and the next deploy is unaffected. The upload's private
 * directory is made and removed here, so it goes even when the child is killed.
 */
export async function bundle(
  input: BundleInput,
  options: BundleOptions = {},
): Promise<BundleResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const root = await realpath(await mkdtemp(join(tmpdir(), 'mini-lambda-build-')));
  try {
    return await runWorker({ input, root, options: { ...options, timeoutMs } }, timeoutMs);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function runWorker(
  request: { input: BundleInput; root: string; options: BundleOptions },
  timeoutMs: number,
) {
  return new Promise<BundleResult>((resolve, reject) => {
    const child = fork(WORKER, [], {
      serialization: 'advanced', // Buffers cross as Buffers
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      outcome();
    };
    // The worker cancels esbuild at timeoutMs itself; this is the bound if it cannot
    // (esbuild's cancel does not stop a glob walk, for one).
    const timer = setTimeout(
      () => finish(() => reject(failed(`The build did not finish within ${timeoutMs} ms`))),
      timeoutMs + 5_000,
    );
    child.on('message', (reply: Reply) =>
      finish(() =>
        reply.ok
          ? resolve(reply.result)
          : reject(new MiniLambdaError(reply.error.code, reply.error.message, reply.error.details)),
      ),
    );
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, signal) =>
      finish(() =>
        reject(failed(`The bundler stopped on this input (${signal ?? `exit ${code}`})`)),
      ),
    );
    child.send(request);
  });
}

function failed(text: string): MiniLambdaError {
  return new MiniLambdaError('BuildFailed', `Build failed: ${text}`, {
    errors: [{ text, file: null, line: null, column: null }],
  });
}
