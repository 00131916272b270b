import type { BundleInput, BundleOptions, BundleResult } from '@mini-lambda/bundler';
import type { FunctionConfigPatch, FunctionVersion, HandlerKind } from '@mini-lambda/core';
import type { BundleCache } from './bundle-cache.ts';
import { createLimiter } from './limiter.ts';

export interface DeployResult {
  version: FunctionVersion;
  warnings: BundleResult['warnings'];
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
    /** The bundler's `bundle`. */
    bundle: (input: BundleInput, options: BundleOptions) => Promise<BundleResult>;
    /** The store's `deployVersion`: bundle object first, then the row. */
    record: (
      name: string,
      input: { code: string; handler: HandlerKind; config?: FunctionConfigPatch },
    ) => Promise<FunctionVersion>;
    bundles: BundleCache;
    /** Starts watching `name`; the result says whether it changed (was invalidated) since. */
    watch: (name: string) => () => boolean;
    /**
     * `changed`: the name was invalidated while the version was written (another deploy,
     * patch or delete), so this version may not be the latest any more.
     */
    onDeployed: (result: DeployResult, buildMs: number, changed: boolean) => void;
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
      const built = await builds.run(() =>
        deps.bundle(input, { timeoutMs: options.buildTimeoutMs }),
      );
      const buildMs = performance.now() - started;
      const changed = deps.watch(name);
      const version = await deps.record(name, {
        code: built.code,
        handler: built.handler,
        ...(config ? { config } : {}),
      });
      deps.bundles.remember(version.sha256, built.code);
      const result = { version, warnings: built.warnings };
      deps.onDeployed(result, buildMs, changed());
      return result;
    },
  };
}

export type Deployer = ReturnType<typeof createDeployer>;
