import type { ModuleInspection } from '@mini-lambda/core';
import { type BlankOptions, createBlankIsolate, disposeIsolate } from './blank-isolate.ts';
import { InvocationScope } from './bridge/invocation-scope.ts';
import { classify, timedOut, withDeadline } from './failures.ts';
import type { Isolate } from './ivm.ts';
import { evaluateModule, functionMeta } from './module.ts';

export interface InspectOptions {
  memoryMb: number;
  initTimeoutMs: number;
  /** The function being deployed: its top-level code may read `process.env`. */
  name?: string | undefined;
  /** Its environment as the deploy leaves it (the deploy's `config.env`, else the current one). */
  env?: Record<string, string> | undefined;
}

/** Lambda's name for a version not yet published: what the module sees while it is inspected. */
const UNPUBLISHED = '$LATEST';

/**
 * Evaluates a bundle in a throwaway isolate and reports the handler it really offers
 * (docs/functions.md, "Handler styles"), as a deploy needs to know: export names alone cannot
 * tell `export default app` from CommonJS `module.exports = { handler }`. Top-level code
 * runs as at a cold start, bounded the same way; the isolate is disposed after.
 */
export async function inspectModule(
  code: string,
  options: InspectOptions,
  blankOptions: Omit<BlankOptions, 'memoryMb' | 'syncExecution'>,
): Promise<ModuleInspection> {
  const startedAt = performance.now();
  let isolate: Isolate | undefined;
  const work = (async (): Promise<ModuleInspection> => {
    const blank = await createBlankIsolate({
      ...blankOptions,
      memoryMb: options.memoryMb,
      syncExecution: false,
    });
    isolate = blank.isolate;
    const init = new InvocationScope({ deadline: startedAt + options.initTimeoutMs, init: true });
    blank.bridge.enter(init);
    try {
      const meta = functionMeta({
        name: options.name ?? 'deploy',
        version: UNPUBLISHED,
        config: { memory_mb: options.memoryMb, env: options.env ?? {} },
      });
      const module = await evaluateModule(blank, code, undefined, meta, options.initTimeoutMs);
      const json = await blank.inspect.apply(undefined, [module.namespace.derefInto()], {
        timeout: options.initTimeoutMs,
      });
      const found = JSON.parse(json) as { style: 'event' | 'fetch' | null; found?: string };
      if (found.style === 'event' || found.style === 'fetch')
        return { ok: true, style: found.style };
      return {
        ok: false,
        reason: 'no_handler',
        message: `The module has no handler: ${found.found}`,
      };
    } finally {
      blank.bridge.leave(init);
    }
  })();
  const failed = (message: string): ModuleInspection => ({
    ok: false,
    reason: 'init_failed',
    message: `The module's top-level code failed: ${message}`,
  });
  try {
    return await withDeadline(
      work.catch((err: unknown) => {
        const result = classify(err, {
          isolate,
          disposedBecause: undefined,
          startedAt,
          timeoutMs: options.initTimeoutMs,
        });
        return failed(result.ok ? 'unknown' : result.message);
      }),
      options.initTimeoutMs,
      () => {
        const result = timedOut(options.initTimeoutMs);
        return failed(result.ok ? '' : result.message);
      },
    );
  } finally {
    if (isolate) disposeIsolate(isolate);
    // Past the deadline the work may still create its isolate: that one goes too.
    const cleanUp = () => isolate && disposeIsolate(isolate);
    work.then(cleanUp, cleanUp);
  }
}
