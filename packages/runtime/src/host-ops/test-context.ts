import { type HostOpContext, HostOpError } from './types.ts';

// For the ops' tests: a context as the bridge makes one, and errors as the isolate gets them.

/** A host-op context of a fresh isolate inside a running invocation; `end()` ends it. */
export function testContext(): HostOpContext & { end(): void } {
  const controller = new AbortController();
  return {
    isolate: { slots: new Map(), memoryBytes: 128 * 1024 * 1024 },
    invocation: { signal: controller.signal, deadline: performance.now() + 60_000 },
    end: () => controller.abort(),
  };
}

/** [name, message] of the HostOpError `f` throws or rejects with; anything else fails. */
export async function failure(f: () => unknown): Promise<[string, string] | 'no error'> {
  try {
    await f();
    return 'no error';
  } catch (e) {
    if (!(e instanceof HostOpError)) throw e;
    return [e.name, e.message];
  }
}
