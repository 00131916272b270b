import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildRequest, BuildWorker } from './build-worker.ts';
import type { BundleInput, BundleOptions, BundleResult } from './bundle.ts';

export interface BundlerOptions {
  /** Idle workers kept for the next builds. */
  keepIdle?: number;
  /** A worker is replaced after this many builds, so nothing accumulates in one. */
  buildsPerWorker?: number;
}

/**
 * Bundles uploads into self-contained ES modules for the runtime, each build in a child
 * process (a build that crashes esbuild or runs past its time is killed and reported as
 * BuildFailed; the next deploy is unaffected). Workers are reused after successful
 * builds: starting Node and esbuild cost ≈ 0.5 s of CPU per deploy when each build had
 * a process of its own. The upload's private directory is made and removed here, so it
 * goes even when the child is killed.
 */
export function createBundler(options: BundlerOptions = {}) {
  const keepIdle = options.keepIdle ?? 2;
  const buildsPerWorker = options.buildsPerWorker ?? 100;
  let idle: BuildWorker[] = [];
  let closed = false;
  const take = () => {
    idle = idle.filter((w) => !w.dead);
    return idle.pop() ?? new BuildWorker();
  };
  const giveBack = (worker: BuildWorker) => {
    if (closed || worker.dead || worker.builds >= buildsPerWorker || idle.length >= keepIdle)
      worker.kill();
    else idle.push(worker);
  };
  return {
    async bundle(input: BundleInput, buildOptions: BundleOptions = {}): Promise<BundleResult> {
      const timeoutMs = buildOptions.timeoutMs ?? 30_000;
      const root = await realpath(await mkdtemp(join(tmpdir(), 'mini-lambda-build-')));
      const worker = take();
      try {
        const request: BuildRequest = { input, root, options: { ...buildOptions, timeoutMs } };
        return await worker.run(request, timeoutMs);
      } finally {
        giveBack(worker);
        await rm(root, { recursive: true, force: true });
      }
    },
    /** Process ids of the workers waiting for a build. */
    idlePids(): number[] {
      return idle.filter((w) => !w.dead).map((w) => w.pid);
    },
    /** Ends the idle workers; builds running finish first. */
    close(): void {
      closed = true;
      for (const worker of idle) worker.kill();
      idle = [];
    },
  };
}

export type Bundler = ReturnType<typeof createBundler>;

/** One build in a worker of its own, ended afterwards (tests, one-off tools). */
export async function bundle(input: BundleInput, options: BundleOptions = {}) {
  const bundler = createBundler({ keepIdle: 0 });
  return bundler.bundle(input, options);
}
