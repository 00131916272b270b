import type { BundleInput, BundleOptions, BundleResult } from '@mini-lambda/bundler';
import {
  type FunctionConfigPatch,
  type FunctionVersion,
  type HandlerKind,
  MiniLambdaError,
  type ModuleInspection,
} from '@mini-lambda/core';
import type { BundleCache } from './bundle-cache.ts';
import type { FunctionDirectory } from './function-directory.ts';
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
 * Once the record exists, the function directory is told, then `onDeployed` runs.
 */
export function createDeployer(
  deps: {
    /** The bundler's `bundle`. */
    bundle: (input: BundleInput, options: BundleOptions) => Promise<BundleResult>;
    /** The runtime's `inspect`: evaluates the bundle (in a sandbox) to find its handler. */
    inspect: (
      code: string,
      options: { memoryMb: number; name: string; env: Record<string, string> },
    ) => Promise<ModuleInspection>;
    /** The function's current config (its memory and env apply when the deploy does not say). */
    currentConfigOf: (name: string) => Promise<{ memory_mb: number; env: Record<string, string> }>;
    /** The store's `deployVersion`: bundle object first, then the row. */
    record: (
      name: string,
      input: { code: string; handler: HandlerKind; config?: FunctionConfigPatch },
    ) => Promise<FunctionVersion>;
    bundles: BundleCache;
    /** Keeps the version written, unless the function changed otherwise meanwhile. */
    directory: Pick<FunctionDirectory, 'stamp' | 'deployed'>;
    /** For metrics and the log. */
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
      const built = await builds.run(() =>
        deps.bundle(input, { timeoutMs: options.buildTimeoutMs }),
      );
      const current = await deps.currentConfigOf(name);
      // Top-level code sees the function as the deploy leaves it (it may read process.env).
      const handler = handlerOf(
        await deps.inspect(built.code, {
          memoryMb: config?.memory_mb ?? current.memory_mb,
          name,
          env: config?.env ?? current.env,
        }),
      );
      const buildMs = performance.now() - started;
      const since = deps.directory.stamp();
      const version = await deps.record(name, {
        code: built.code,
        handler,
        ...(config ? { config } : {}),
      });
      deps.bundles.remember(version.sha256, built.code);
      deps.directory.deployed(version, since);
      const result = { version, warnings: built.warnings };
      deps.onDeployed(result, buildMs);
      return result;
    },
  };
}

export type Deployer = ReturnType<typeof createDeployer>;

/** The handler style evaluation found, or why there is none as docs/api.md's error. */
function handlerOf(inspection: ModuleInspection): HandlerKind {
  if (inspection.ok) return inspection.style;
  if (inspection.reason === 'no_handler')
    throw new MiniLambdaError('NoHandler', inspection.message);
  throw new MiniLambdaError('BuildFailed', inspection.message, {
    errors: [{ text: inspection.message, file: null, line: null, column: null }],
  });
}
