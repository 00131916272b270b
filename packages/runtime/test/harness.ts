import { createHash } from 'node:crypto';
import {
  parseFunctionConfig,
  type RunnableFunction,
  type RuntimeLimitsInput,
} from '@mini-lambda/core';
import {
  createInProcessRuntime,
  createSandboxedRuntime,
  type Runtime,
  runtimeLimits,
} from '../src/index.ts';

/**
 * The vitest project `sandboxed` sets this: every runtime test then runs against one
 * sandbox process behind the supervisor instead of in-process pools.
 */
export const IN_SANDBOX = process.env.MINI_LAMBDA_TEST_RUNTIME === 'sandbox';

/** A real runtime whose bundles come from an in-memory map the test fills. */
export interface TestRuntime {
  runtime: Runtime;
  /** Registers `code` as version `version` of `name` and returns the record to invoke. */
  deploy(
    name: string,
    code: string,
    config?: Record<string, unknown>,
    version?: number,
  ): RunnableFunction;
  /** How often the runtime asked for each sha256. */
  loads: Map<string, number>;
}

/** Bundles in memory, as a runtime's `loadCode` sees them, with a count of loads. */
export function createBundles() {
  const bundles = new Map<string, string>();
  const loads = new Map<string, number>();
  return {
    loads,
    loadCode: async (fn: RunnableFunction) => {
      loads.set(fn.sha256, (loads.get(fn.sha256) ?? 0) + 1);
      const code = bundles.get(fn.sha256);
      if (code === undefined) throw new Error(`no bundle ${fn.sha256}`);
      return code;
    },
    deploy(
      name: string,
      code: string,
      config: Record<string, unknown> = {},
      version = 1,
    ): RunnableFunction {
      const sha256 = createHash('sha256').update(code).digest('hex');
      bundles.set(sha256, code);
      return { name, version, sha256, config: parseFunctionConfig(config) };
    },
  };
}

export function createTestRuntime(
  limits: RuntimeLimitsInput = {},
  onCatastrophicError?: (m: string) => void,
): TestRuntime {
  const { loads, loadCode, deploy } = createBundles();
  // The in-process defaults (async) in a sandbox too, unless a test picks an execution:
  // the same behaviour is expected of both.
  const parsed = runtimeLimits(limits);
  const runtime = IN_SANDBOX
    ? createSandboxedRuntime({ loadCode }, parsed, { sandboxes: 1 })
    : createInProcessRuntime(
        { loadCode, ...(onCatastrophicError ? { onCatastrophicError } : {}) },
        parsed,
      );
  return { runtime, loads, deploy };
}

/** Both ways the runtime can run a warm call; behaviour must not differ between them. */
export const EXECUTION_MODES = ['async', 'sync'] as const;
