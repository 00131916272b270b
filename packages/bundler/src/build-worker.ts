import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, MiniLambdaError } from '@mini-lambda/core';
import type { BundleInput, BundleOptions, BundleResult } from './bundle.ts';

const WORKER = fileURLToPath(new URL('./bundle-worker.ts', import.meta.url));

/** One build as the worker receives it. */
export interface BuildRequest {
  input: BundleInput;
  root: string;
  options: BundleOptions;
}

type Reply =
  | { ok: true; result: BundleResult }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/**
 * A bundler child process that runs builds one at a time. A build that fails, crashes
 * the process or runs past its time ends the process (SIGKILL); only a worker whose
 * last build succeeded takes another (esbuild's service can be left broken by an input
 * that overflows its stack, and is never shared with the next upload then).
 */
export class BuildWorker {
  private readonly child: ChildProcess;
  private running: ((outcome: () => void) => void) | undefined;
  /** Builds done; the pool retires a worker after a number of them. */
  builds = 0;
  dead = false;

  constructor() {
    this.child = fork(WORKER, [], {
      serialization: 'advanced', // Buffers cross as Buffers
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
    });
    const lost = (why: string) => {
      this.dead = true;
      this.running?.(() => {
        throw failed(`The bundler stopped on this input (${why})`);
      });
    };
    this.child.on('error', (err) => lost(err.message));
    this.child.on('exit', (code, signal) => lost(signal ?? `exit ${code}`));
    this.idle();
  }

  /** Runs one build; the worker stays usable only if it succeeded. */
  run(request: BuildRequest, timeoutMs: number): Promise<BundleResult> {
    if (this.dead || this.running) return Promise.reject(new Error('build worker not free'));
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
    return new Promise<BundleResult>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        this.running = undefined;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        try {
          outcome();
        } catch (err) {
          this.kill();
          reject(err);
        }
      };
      const onMessage = (reply: Reply) =>
        settle(() => {
          if (!reply.ok) {
            throw new MiniLambdaError(reply.error.code, reply.error.message, reply.error.details);
          }
          this.builds++;
          this.idle();
          resolve(reply.result);
        });
      this.running = settle;
      // The worker cancels esbuild at timeoutMs itself; this is the bound if it cannot
      // (esbuild's cancel does not stop a glob walk, for one).
      const timer = setTimeout(
        () =>
          settle(() => {
            throw failed(`The build did not finish within ${timeoutMs} ms`);
          }),
        timeoutMs + 5_000,
      );
      this.child.on('message', onMessage);
      this.child.send(request);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  kill(): void {
    this.dead = true;
    this.child.kill('SIGKILL');
  }

  /** An idle worker does not keep this process alive. */
  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

function failed(text: string): MiniLambdaError {
  return new MiniLambdaError('BuildFailed', `Build failed: ${text}`, {
    errors: [{ text, file: null, line: null, column: null }],
  });
}
