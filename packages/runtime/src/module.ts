import { arch, version, versions } from 'node:process';
import type { RunnableFunction } from '@mini-lambda/core';
import type { BlankIsolate } from './blank-isolate.ts';
import type { CodeCache } from './code-cache.ts';
import type { Module } from './ivm.ts';

/**
 * Compiles a bundle as an ES module in `blank`'s context and runs its top-level code
 * within `timeoutMs`. Bundles are self-contained: any import left is refused. The
 * function's metadata (functionMeta) is handed to the isolate first: top-level code
 * may read `process.env`.
 */
export async function evaluateModule(
  blank: BlankIsolate,
  code: string,
  codeCache: CodeCache | undefined,
  meta: FunctionMeta,
  timeoutMs: number,
): Promise<Module> {
  // Prelude code only (it keeps the metadata): synchronous, no hop to a thread.
  blank.attach.applySync(undefined, [undefined, JSON.stringify(meta)], { timeout: timeoutMs });
  const filename = `${meta.name}@${meta.version}.js`;
  const module = codeCache
    ? await codeCache.compile((o) => blank.isolate.compileModule(code, { ...o, filename }))
    : await blank.isolate.compileModule(code, { filename });
  await module.instantiate(blank.context, (specifier: string) => {
    throw new Error(`Imports are resolved at build time; cannot import "${specifier}"`);
  });
  await module.evaluate({ timeout: timeoutMs });
  return module;
}

/**
 * What an isolate knows of its function (prelude/function-info.js): the handler's
 * context and node:process (`env` and the Lambda variables, Node's versions) read it.
 */
export interface FunctionMeta {
  name: string;
  /** A string, as Lambda's AWS_LAMBDA_FUNCTION_VERSION and context.functionVersion are. */
  version: string;
  memoryMb: number;
  env: Record<string, string>;
  /** AWS_REGION: functions run in no AWS region, so the one AWS tools default to. */
  region: string;
  /** TZ: the isolate's clock is the sandbox process's (V8 reads the process's zone). */
  tz: string;
  node: { version: string; versions: Record<string, string>; arch: string };
}

/** The AWS_REGION functions see: what the AWS CLI, SAM local and LocalStack default to. */
export const FUNCTION_REGION = 'us-east-1';

// The components process.versions shows, as Node 24 has them: the sandbox's own Node is
// the one that runs the isolate's V8. Others (undici, sqlite, acorn…) are Node internals a
// function cannot use here.
const VERSION_KEYS = [
  'node',
  'v8',
  'uv',
  'zlib',
  'brotli',
  'ares',
  'modules',
  'nghttp2',
  'napi',
  'llhttp',
  'openssl',
  'cldr',
  'icu',
  'tz',
  'unicode',
];

let nodeInfo: FunctionMeta['node'] | undefined;
let zone: string | undefined;

/** The metadata of `fn` for its isolates (a deploy's inspection has no version yet). */
export function functionMeta(fn: {
  name: string;
  version: number | string;
  config: Pick<RunnableFunction['config'], 'memory_mb' | 'env'>;
}): FunctionMeta {
  nodeInfo ??= {
    version,
    versions: Object.fromEntries(
      VERSION_KEYS.flatMap((key) => {
        const value = versions[key];
        return typeof value === 'string' ? [[key, value]] : [];
      }),
    ),
    arch,
  };
  zone ??= new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    name: fn.name,
    version: String(fn.version),
    memoryMb: fn.config.memory_mb,
    env: fn.config.env,
    region: FUNCTION_REGION,
    tz: zone,
    node: nodeInfo,
  };
}
