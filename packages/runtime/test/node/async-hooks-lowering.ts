import { createTestRuntime } from '../harness.ts';
import { bundleForIsolate, inNode } from './harness.ts';

/**
 * What the bundler does to a bundle that imports async_hooks: every `await`, async
 * generator and `for await` becomes `.then` calls, which carry the async context.
 */
export const LOWER_AWAIT = {
  'async-await': false,
  'async-generator': false,
  'for-await': false,
} as const;

/** `source` bundled as a deploy bundles a function that imports async_hooks. */
export function bundleLowered(source: string): Promise<string> {
  return bundleForIsolate(source, LOWER_AWAIT);
}

/**
 * Runs ES modules that export `handler` lowered in isolates of a real runtime, and as they
 * are (native async/await, Node's own AsyncLocalStorage) in this Node process.
 */
export function createLoweredOracle(limits: Parameters<typeof createTestRuntime>[0] = {}) {
  const t = createTestRuntime(limits);
  let n = 0;

  async function deploy(source: string, config: Record<string, unknown> = {}) {
    return t.deploy(`async-hooks-case-${n++}`, await bundleLowered(source), config);
  }

  async function inIsolate(source: string, event: unknown = null): Promise<unknown> {
    const out = await t.runtime.invoke(await deploy(source), JSON.stringify(event));
    if (!out.ok) throw new Error(`the case failed in the isolate: ${out.reason}: ${out.message}`);
    return JSON.parse(out.result);
  }

  return {
    runtime: t.runtime,
    deploy,
    inIsolate,
    /** The handler's result in an isolate and in Node, for the test to compare. */
    async both(source: string, event: unknown = null) {
      const [node, isolate] = await Promise.all([inNode(source, event), inIsolate(source, event)]);
      return { node, isolate };
    },
    dispose: () => t.runtime.dispose(),
  };
}
