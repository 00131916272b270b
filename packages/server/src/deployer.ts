import { type BundleInput, bundle } from '@mini-lambda/bundler';
import type { FunctionConfigPatch, FunctionVersion } from '@mini-lambda/core';
import { deployVersion, type Store } from '@mini-lambda/store';
import type { BundleCache } from './bundle-cache.ts';
import { createLimiter } from './limiter.ts';

export interface DeployResult {
  version: FunctionVersion;
  warnings: Awaited<ReturnType<typeof bundle>>['warnings'];
}

export interface DeployerOptions {
  buildConcurrency: number;
  buildTimeoutMs: number;
}

/**
 * Build, store, record: the upload is bundled (in a child process, at most
 * `buildConcurrency` at once), the bundle stored by hash, then the version recorded.
 * `onDeployed` runs after the record exists, to refresh this instance's caches.
 */
export function createDeployer(
  deps: {
    store: Pick<Store, 'bundles' | 'registry'>;
    bundles: BundleCache;
    onDeployed: (result: DeployResult, buildMs: number) => void;
  },
  options: DeployerOptions,
) {
  const builds = createLimiter(options.buildConcurrency, options.buildConcurrency * 8);
  return {
    async deploy(
      name: string,
      input: BundleInput,
      config?: FunctionConfigPatch,
    ): Promise<DeployResult> {
      const started = performance.now();
      const built = await builds.run(() => bundle(input, { timeoutMs: options.buildTimeoutMs }));
      const buildMs = performance.now() - started;
      const version = await deployVersion(deps.store, name, {
        code: built.code,
        handler: built.handler,
        ...(config ? { config } : {}),
      });
      deps.bundles.remember(version.sha256, built.code);
      const result = { version, warnings: built.warnings };
      deps.onDeployed(result, buildMs);
      return result;
    },
  };
}

export type Deployer = ReturnType<typeof createDeployer>;
