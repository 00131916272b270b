import { createHash } from 'node:crypto';
import {
  parseFunctionConfig,
  type RunnableFunction,
  type RuntimeLimitsInput,
} from '@mini-lambda/core';
import { createInProcessRuntime, type Runtime } from '../src/index.ts';

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

export function createTestRuntime(
  limits: RuntimeLimitsInput = {},
  onCatastrophicError?: (m: string) => void,
): TestRuntime {
  const bundles = new Map<string, string>();
  const loads = new Map<string, number>();
  const runtime = createInProcessRuntime(
    {
      loadCode: async (fn) => {
        loads.set(fn.sha256, (loads.get(fn.sha256) ?? 0) + 1);
        const code = bundles.get(fn.sha256);
        if (code === undefined) throw new Error(`no bundle ${fn.sha256}`);
        return code;
      },
      ...(onCatastrophicError ? { onCatastrophicError } : {}),
    },
    limits,
  );
  return {
    runtime,
    loads,
    deploy(name, code, config = {}, version = 1) {
      const sha256 = createHash('sha256').update(code).digest('hex');
      bundles.set(sha256, code);
      return { name, version, sha256, config: parseFunctionConfig(config) };
    },
  };
}

/** Both ways the runtime can run a warm call; behaviour must not differ between them. */
export const EXECUTION_MODES = ['async', 'sync'] as const;
