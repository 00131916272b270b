import type { CodeCache } from './code-cache.ts';
import ivm, { type Context, type Isolate, type Reference } from './ivm.ts';
import { PRELUDE_SOURCE } from './prelude-source.ts';

/** prelude.js's `attach(namespace, metaJson)`, returning the entry points object. */
export type Attach = Reference<(namespace: unknown, metaJson: string) => unknown>;

/**
 * An isolate with a context and the prelude installed, not yet bound to any function:
 * the function-independent ≈ 3 ms of a cold start, which spares prepare ahead of time.
 */
export interface BlankIsolate {
  isolate: Isolate;
  context: Context;
  attach: Attach;
  memoryMb: number;
  /** Where a catastrophic V8 error of this isolate is reported; rebound when it is used. */
  onCatastrophicError: (message: string) => void;
}

export interface BlankOptions {
  memoryMb: number;
  preludeCache: CodeCache;
  logLimit: number;
  onCatastrophicError: (message: string) => void;
}

export async function createBlankIsolate(options: BlankOptions): Promise<BlankIsolate> {
  const holder: { blank?: BlankIsolate } = {};
  const isolate = new ivm.Isolate({
    memoryLimit: options.memoryMb,
    onCatastrophicError: (message) => (holder.blank ?? options).onCatastrophicError(message),
  });
  try {
    const context = await isolate.createContext();
    const prelude = await options.preludeCache.compile((o) =>
      isolate.compileScript(PRELUDE_SOURCE, { ...o, filename: 'mini-lambda:prelude' }),
    );
    const install = await prelude.run(context, { reference: true });
    const attach = (await install.apply(
      undefined,
      [JSON.stringify({ logLimit: options.logLimit })],
      {
        result: { reference: true },
      },
    )) as Attach;
    holder.blank = {
      isolate,
      context,
      attach,
      memoryMb: options.memoryMb,
      onCatastrophicError: options.onCatastrophicError,
    };
    return holder.blank;
  } catch (err) {
    disposeIsolate(isolate);
    throw err;
  }
}

export function disposeIsolate(isolate: Isolate): void {
  try {
    if (!isolate.isDisposed) isolate.dispose();
  } catch {
    // already disposed by isolated-vm (memory limit); nothing left to free
  }
}
