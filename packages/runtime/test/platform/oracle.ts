import { expect } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../harness.ts';

/**
 * Helpers every case may use, in Node and in the isolate alike. Results must be JSON, so
 * bytes become arrays and errors their name (messages are compared where a case says so).
 */
export const CASE_HELPERS = `
const bytes = (u8) => Array.from(new Uint8Array(u8));
const attempt = async (f) => {
  try { return { ok: await f() }; } catch (e) { return { threw: e && e.name }; }
};
const describe = (v) => Object.prototype.toString.call(v);
`;

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  body: string,
) => AsyncFn;

/** Runs `body` (an async function body returning JSON) here, with Node's own classes. */
export async function inNode(body: string): Promise<unknown> {
  const value = await new AsyncFunction(CASE_HELPERS + body)();
  return JSON.parse(JSON.stringify(value ?? null));
}

/**
 * Runs case bodies inside isolates of a real runtime (each case is its own function, so
 * one case cannot disturb another) and compares them with Node, the oracle.
 */
export function createOracle(limits: Parameters<typeof createTestRuntime>[0] = {}) {
  const t: TestRuntime = createTestRuntime(limits);
  let n = 0;

  async function inIsolate(body: string, config: Record<string, unknown> = {}): Promise<unknown> {
    const fn = t.deploy(
      `platform-case-${n++}`,
      `export async function handler() { ${CASE_HELPERS}\n${body}\n }`,
      config,
    );
    const out = await t.runtime.invoke(fn, '');
    if (!out.ok) throw new Error(`the case failed in the isolate: ${out.reason}: ${out.message}`);
    return JSON.parse(out.result);
  }

  return {
    runtime: t.runtime,
    deploy: t.deploy,
    inIsolate,
    /** The case's value in the isolate equals Node's. */
    async same(body: string): Promise<void> {
      const [expected, actual] = await Promise.all([inNode(body), inIsolate(body)]);
      expect(actual).toEqual(expected);
    },
    dispose: () => t.runtime.dispose(),
  };
}
