import type { RuntimeLimitsInput } from '@mini-lambda/core';
import {
  createSandboxedRuntime,
  DEFAULT_EXECUTION,
  type Runtime,
  runtimeLimits,
  type SandboxExitReason,
  type SandboxOptions,
} from '../src/index.ts';
import { createBundles } from './harness.ts';

/** Whether we run as root: sandboxes then run as nobody, as the server runs them. */
export const ROOT = process.getuid?.() === 0;
export const NOBODY = { uid: 65534, gid: 65534 };

const started: Runtime[] = [];

/**
 * A sandboxed runtime fed by in-memory bundles, recording why its sandboxes were
 * replaced (and, for a protocol fault, what the sandbox sent). End with `disposeSandboxed`.
 */
export function startSandboxed(options: SandboxOptions & { limits?: RuntimeLimitsInput } = {}) {
  const { limits = {}, ...sandboxOptions } = options;
  const bundles = createBundles();
  const exits: SandboxExitReason[] = [];
  const faults: string[] = [];
  const runtime = createSandboxedRuntime(
    {
      loadCode: bundles.loadCode,
      onSandboxExit: (reason, info) => {
        exits.push(reason);
        if (info.fault !== undefined) faults.push(info.fault);
      },
    },
    runtimeLimits(limits, DEFAULT_EXECUTION.sandboxed),
    { ...(ROOT ? { user: NOBODY } : {}), ...sandboxOptions },
  );
  started.push(runtime);
  return { runtime, deploy: bundles.deploy, loads: bundles.loads, exits, faults };
}

/** Disposes every runtime `startSandboxed` started. */
export async function disposeSandboxed(): Promise<void> {
  await Promise.all(started.splice(0).map((r) => r.dispose()));
}
