import { HostBridge } from './bridge/host-bridge.ts';
import type { CodeCache } from './code-cache.ts';
import ivm, { type Context, type Isolate, type Reference } from './ivm.ts';
import { preludeSource } from './prelude-source.ts';

/** prelude/handler.js's `attach(namespace, metaJson)`, returning the entry points object. */
export type Attach = Reference<(namespace: unknown, metaJson: string) => unknown>;
/** prelude/index.js's `inspect(namespace)`: `{"style":"event"|"fetch"|null,"found"?}`. */
export type Inspect = Reference<(namespace: unknown) => string>;

/**
 * An isolate with a context and the prelude installed, not yet bound to any function:
 * the function-independent ≈ 3 ms of a cold start, which spares prepare ahead of time.
 */
export interface BlankIsolate {
  isolate: Isolate;
  context: Context;
  attach: Attach;
  inspect: Inspect;
  /** Host calls of this isolate (timers, operations, fetch) go through it. */
  bridge: HostBridge;
  memoryMb: number;
  /** Where a catastrophic V8 error of this isolate is reported; rebound when it is used. */
  onCatastrophicError: (message: string) => void;
}

export interface BlankOptions {
  memoryMb: number;
  preludeCache: CodeCache;
  logLimit: number;
  maxResultBytes: number;
  /** The isolate runs on this thread (sandbox execution): its bridge delivers without a hop. */
  syncExecution: boolean;
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
      isolate.compileScript(preludeSource(), { ...o, filename: 'mini-lambda:prelude' }),
    );
    const install = await prelude.run(context, { reference: true });
    const bridge = new HostBridge(options.syncExecution);
    const { logLimit, maxResultBytes } = options;
    const entries = (await install.apply(
      undefined,
      [JSON.stringify({ logLimit, maxResultBytes }), bridge.callback],
      { result: { reference: true } },
    )) as Reference<Record<'attach' | 'deliver' | 'inspect', unknown>>;
    const ref = (key: 'attach' | 'deliver' | 'inspect') =>
      entries.getSync(key, { reference: true });
    bridge.deliverRef = ref('deliver') as HostBridge['deliverRef'];
    holder.blank = {
      isolate,
      context,
      attach: ref('attach') as Attach,
      inspect: ref('inspect') as Inspect,
      bridge,
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
