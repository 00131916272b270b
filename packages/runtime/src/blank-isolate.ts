import { HostBridge } from './bridge/host-bridge.ts';
import { CodeCache } from './code-cache.ts';
import { HostOpError } from './host-ops/types.ts';
import ivm, { type Context, type Isolate, type Reference } from './ivm.ts';
import { type PreludeSources, preludeSources } from './prelude-source.ts';

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
  /** Code caches of the chunks of the platform loaded on first use, by name. */
  chunkCaches: Map<string, CodeCache>;
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
    const sources = await preludeSources();
    let link: Reference<(wrapper: unknown) => void> | undefined;
    const bridge = new HostBridge(
      options.syncExecution,
      (name, timeoutMs) =>
        loadChunk(
          { isolate, context, sources, caches: options.chunkCaches, link },
          name,
          timeoutMs,
        ),
      options.memoryMb,
    );
    const { logLimit, maxResultBytes } = options;
    const entries = await options.preludeCache.runWarm(
      (o) => isolate.compileScript(sources.prelude, { ...o, filename: 'mini-lambda:prelude' }),
      async (prelude) => {
        const install = await prelude.run(context, { reference: true });
        return (await install.apply(
          undefined,
          [
            JSON.stringify({
              logLimit,
              maxResultBytes,
              notifySettled: options.syncExecution,
              // What one host call may carry out of the isolate: no more than it may hold.
              maxArgBytes: options.memoryMb * 1024 * 1024,
            }),
            bridge.callback,
          ],
          { result: { reference: true } },
        )) as Reference<Record<'attach' | 'deliver' | 'inspect' | 'link', unknown>>;
      },
    );
    const ref = (key: 'attach' | 'deliver' | 'inspect' | 'link') =>
      entries.getSync(key, { reference: true });
    bridge.deliverRef = ref('deliver') as HostBridge['deliverRef'];
    link = ref('link') as typeof link;
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

/**
 * Compiles chunk `name` of the platform into the isolate (with its code cache) and hands
 * its wrapper to the prelude's `link`, while the isolate waits in the host call that asked
 * for it: isolated-vm lets the host call back into an isolate from within its callback.
 */
function loadChunk(
  at: {
    isolate: Isolate;
    context: Context;
    sources: PreludeSources;
    caches: Map<string, CodeCache>;
    link: Reference<(wrapper: unknown) => void> | undefined;
  },
  name: unknown,
  timeout: number,
): void {
  const source =
    typeof name === 'string' && Object.hasOwn(at.sources.chunks, name)
      ? at.sources.chunks[name]
      : undefined;
  if (typeof name !== 'string' || source === undefined || !at.link) {
    throw new HostOpError('TypeError', 'Unknown part of the platform');
  }
  let cache = at.caches.get(name);
  if (!cache) {
    cache = new CodeCache();
    at.caches.set(name, cache);
  }
  const link = at.link;
  cache.runWarmSync(
    (o) => at.isolate.compileScriptSync(source, { ...o, filename: `mini-lambda:${name}` }),
    (script) => {
      const wrapper = script.runSync(at.context, { reference: true, timeout });
      try {
        link.applySync(undefined, [wrapper.derefInto()], { timeout });
      } finally {
        wrapper.release();
      }
    },
  );
}

export function disposeIsolate(isolate: Isolate): void {
  try {
    if (!isolate.isDisposed) isolate.dispose();
  } catch {
    // already disposed by isolated-vm (memory limit); nothing left to free
  }
}
