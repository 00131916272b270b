import type { ExternalCopy } from './ivm.ts';

/**
 * V8 code cache for one source, produced by the first isolate that compiles it and
 * consumed by the rest. Only this process ever produces the data: cache bytes from
 * anywhere else could make V8 run code that differs from the source.
 */
export class CodeCache {
  private data: ExternalCopy<ArrayBuffer> | undefined;
  private producing: Promise<void> | undefined;

  /**
   * Compiles through the cache. Concurrent first compiles share one: the others wait
   * for the first to produce the data instead of compiling cold in parallel.
   */
  async compile<T extends object>(
    compile: (options: {
      cachedData?: ExternalCopy<ArrayBuffer>;
      produceCachedData?: boolean;
    }) => Promise<T>,
  ): Promise<T> {
    if (this.data === undefined && this.producing !== undefined) await this.producing;
    if (this.data !== undefined) return compile({ cachedData: this.data });
    let done = (): void => {};
    this.producing = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      const compiled = await compile({ produceCachedData: true });
      // isolated-vm sets `cachedData` on the compiled object when asked to produce it.
      const produced = (compiled as { cachedData?: ExternalCopy<ArrayBuffer> }).cachedData;
      if (produced !== undefined) this.data = produced;
      return compiled;
    } finally {
      this.producing = undefined;
      done();
    }
  }

  /** compile(), synchronously: for a chunk compiled while its isolate waits on a host call. */
  compileSync<T extends object>(
    compile: (options: {
      cachedData?: ExternalCopy<ArrayBuffer>;
      produceCachedData?: boolean;
    }) => T,
  ): T {
    if (this.data !== undefined) return compile({ cachedData: this.data });
    const compiled = compile({ produceCachedData: true });
    const produced = (compiled as { cachedData?: ExternalCopy<ArrayBuffer> }).cachedData;
    if (produced !== undefined) this.data = produced;
    return compiled;
  }

  /**
   * compile() for code that runs right away in each isolate (the prelude), with the cache
   * produced after the first run, as runWarmSync() explains. Concurrent first runs wait for
   * it, as compile()'s do.
   */
  async runWarm<T extends object, R>(
    compile: (options: {
      cachedData?: ExternalCopy<ArrayBuffer>;
      produceCachedData?: boolean;
    }) => Promise<T>,
    run: (compiled: T) => Promise<R>,
  ): Promise<R> {
    if (this.data === undefined && this.producing !== undefined) await this.producing;
    if (this.data !== undefined) return run(await compile({ cachedData: this.data }));
    let done = (): void => {};
    this.producing = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      const result = await run(await compile({}));
      const again = await compile({ produceCachedData: true });
      const produced = (again as { cachedData?: ExternalCopy<ArrayBuffer> }).cachedData;
      if (produced !== undefined) this.data = produced;
      (again as { release?: () => void }).release?.();
      return result;
    } finally {
      this.producing = undefined;
      done();
    }
  }

  /**
   * compileSync() for code that runs right away, once, in each isolate (a chunk of the
   * platform): the first isolate compiles it without a cache, runs it, then compiles it
   * again to produce the cache. V8 compiles most functions only when first called, so a
   * cache made at compile time holds little more than the top level; made after the run,
   * it holds every function the run compiled, and the next isolates skip compiling them.
   * (The second compile is answered from the isolate's own compilation cache.)
   */
  runWarmSync<T extends { release(): void }>(
    compile: (options: {
      cachedData?: ExternalCopy<ArrayBuffer>;
      produceCachedData?: boolean;
    }) => T,
    run: (compiled: T) => void,
  ): void {
    if (this.data !== undefined) {
      const compiled = compile({ cachedData: this.data });
      try {
        run(compiled);
      } finally {
        compiled.release();
      }
      return;
    }
    const compiled = compile({});
    try {
      run(compiled);
    } finally {
      compiled.release();
    }
    const again = compile({ produceCachedData: true });
    const produced = (again as { cachedData?: ExternalCopy<ArrayBuffer> }).cachedData;
    if (produced !== undefined && this.data === undefined) this.data = produced;
    again.release();
  }

  release(): void {
    this.data?.release();
    this.data = undefined;
  }
}

/** Code caches by sha256, shared by every pool running that code (the same bundle deployed twice). */
export class CodeCaches {
  private readonly caches = new Map<string, { cache: CodeCache; users: number }>();

  acquire(sha256: string): CodeCache {
    let entry = this.caches.get(sha256);
    if (!entry) {
      entry = { cache: new CodeCache(), users: 0 };
      this.caches.set(sha256, entry);
    }
    entry.users++;
    return entry.cache;
  }

  release(sha256: string): void {
    const entry = this.caches.get(sha256);
    if (!entry || --entry.users > 0) return;
    this.caches.delete(sha256);
    entry.cache.release();
  }

  clear(): void {
    for (const { cache } of this.caches.values()) cache.release();
    this.caches.clear();
  }
}
