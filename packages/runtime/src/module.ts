import type { RunnableFunction } from '@mini-lambda/core';
import type { BlankIsolate } from './blank-isolate.ts';
import type { CodeCache } from './code-cache.ts';
import type { Module } from './ivm.ts';

/**
 * Compiles a bundle as an ES module in `blank`'s context and runs its top-level code
 * within `timeoutMs`. Bundles are self-contained: any import left is refused.
 */
export async function evaluateModule(
  blank: BlankIsolate,
  code: string,
  codeCache: CodeCache | undefined,
  fn: Pick<RunnableFunction, 'name' | 'version'>,
  timeoutMs: number,
): Promise<Module> {
  const filename = `${fn.name}@${fn.version}.js`;
  const module = codeCache
    ? await codeCache.compile((o) => blank.isolate.compileModule(code, { ...o, filename }))
    : await blank.isolate.compileModule(code, { filename });
  await module.instantiate(blank.context, (specifier: string) => {
    throw new Error(`Imports are resolved at build time; cannot import "${specifier}"`);
  });
  await module.evaluate({ timeout: timeoutMs });
  return module;
}
