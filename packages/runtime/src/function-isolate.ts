import type { RunnableFunction } from '@mini-lambda/core';
import type { CodeCache } from './code-cache.ts';
import { type CallResult, readEnvelope } from './envelope.ts';
import ivm, { type Isolate, type Reference } from './ivm.ts';
import { PRELUDE_SOURCE } from './prelude-source.ts';

/** Everything needed to bring up one isolate for a function version. */
export interface IsolateSpec {
  fn: RunnableFunction;
  code: string;
  codeCache: CodeCache;
  preludeCache: CodeCache;
  logLimit: number;
  maxResultBytes: number;
  /** V8 lost control of this isolate; the process should be recycled. */
  onCatastrophicError: (message: string) => void;
}

type Runner = Reference<
  (event: string, invocationId: string, timeoutMs: number) => Promise<string>
>;

const NO_LOGS = { text: '', dropped: 0 };

/**
 * One warm isolate: a context with the prelude and a compiled handler. Runs one
 * invocation at a time; after a timeout, OOM or crash it is disposed and never reused.
 */
export class FunctionIsolate {
  /** performance.now() of the last release; the pool's LRU and idle TTL read it. */
  lastUsedAt = performance.now();
  private finishPending: ((result: CallResult) => void) | undefined;
  private disposed = false;

  private readonly isolate: Isolate;
  private readonly runner: Runner;
  private readonly maxResultBytes: number;

  private constructor(isolate: Isolate, runner: Runner, maxResultBytes: number) {
    this.isolate = isolate;
    this.runner = runner;
    this.maxResultBytes = maxResultBytes;
  }

  /** False once the isolate is disposed or in an unknown state. */
  get reusable(): boolean {
    return !this.disposed && !this.isolate.isDisposed;
  }

  /**
   * Creates the isolate, runs the prelude, compiles and evaluates the module and binds
   * its handler, all within `timeout_ms` (top-level code counts against it).
   */
  static async create(
    spec: IsolateSpec,
  ): Promise<{ ok: true; isolate: FunctionIsolate } | { ok: false; failure: CallResult }> {
    const { fn } = spec;
    let self: FunctionIsolate | undefined;
    let crash: ((r: CallResult) => void) | undefined;
    const isolate = new ivm.Isolate({
      memoryLimit: fn.config.memory_mb,
      onCatastrophicError: (message) => {
        const result = crashed(message);
        if (self) self.fail(result);
        else crash?.(result);
        spec.onCatastrophicError(message);
      },
    });
    const build = async (): Promise<FunctionIsolate> => {
      const context = await isolate.createContext();
      const prelude = await spec.preludeCache.compile((o) =>
        isolate.compileScript(PRELUDE_SOURCE, { ...o, filename: 'mini-lambda:prelude' }),
      );
      const install = await prelude.run(context, { reference: true });
      const attach = await install.apply(undefined, [JSON.stringify({ logLimit: spec.logLimit })], {
        result: { reference: true },
      });
      const module = await spec.codeCache.compile((o) =>
        isolate.compileModule(spec.code, { ...o, filename: `${fn.name}@${fn.version}.js` }),
      );
      await module.instantiate(context, (specifier: string) => {
        throw new Error(`Imports are resolved at build time; cannot import "${specifier}"`);
      });
      await module.evaluate({ timeout: fn.config.timeout_ms });
      const meta = {
        name: fn.name,
        version: fn.version,
        memoryMb: fn.config.memory_mb,
        env: fn.config.env,
      };
      // The namespace is the user's own object in its own isolate; only the host holds
      // the reference to the runner it returns.
      const runner = (await attach.apply(
        undefined,
        [module.namespace.derefInto(), JSON.stringify(meta)],
        {
          result: { reference: true },
        },
      )) as Runner;
      self = new FunctionIsolate(isolate, runner, spec.maxResultBytes);
      return self;
    };
    const outcome = await withDeadline(
      build().then(
        (created) => ({ ok: true as const, isolate: created }),
        (err: unknown) => ({
          ok: false as const,
          failure: classify(err, isolate, fn.config.timeout_ms),
        }),
      ),
      fn.config.timeout_ms,
      () => ({ ok: false as const, failure: timedOut(fn.config.timeout_ms) }),
      (finish) => {
        crash = (failure) => finish({ ok: false, failure });
      },
    );
    if (!outcome.ok) disposeQuietly(isolate);
    return outcome;
  }

  /** Runs one invocation; always settles, by `timeoutMs` at the latest. */
  call(event: string, invocationId: string, timeoutMs: number): Promise<CallResult> {
    const running = this.runner
      .apply(undefined, [event, invocationId, timeoutMs], {
        result: { promise: true },
        timeout: timeoutMs,
      })
      .then(
        (raw) => readEnvelope(raw, this.maxResultBytes),
        (err: unknown) => {
          // The runner catches everything user code throws, so a rejection means the
          // isolate itself failed (limit, termination): its state is unknown.
          const failure = classify(err, this.isolate, timeoutMs);
          this.dispose();
          return failure;
        },
      );
    return withDeadline(
      running,
      timeoutMs,
      () => timedOut(timeoutMs),
      (finish) => {
        this.finishPending = finish;
      },
    ).then((result) => {
      this.finishPending = undefined;
      if (!result.ok && DISCARD_AFTER.has(result.reason)) this.dispose();
      return result;
    });
  }

  /** Ends the call in flight (if any) with `result` and disposes the isolate. */
  private fail(result: CallResult): void {
    this.finishPending?.(result);
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeQuietly(this.isolate);
  }

  /** Heap in use, for stats; undefined once disposed. */
  heapUsedBytes(): number | undefined {
    if (!this.reusable) return undefined;
    const h = this.isolate.getHeapStatisticsSync();
    return h.used_heap_size + h.externally_allocated_size;
  }
}

/** Outcomes after which the isolate's state is unknown, so it is not reused. */
const DISCARD_AFTER: ReadonlySet<string> = new Set(['timeout', 'oom', 'crashed']);

/**
 * Settles with `work`, or with `onExpire()` after `ms` (disposing is the caller's job).
 * `expose` receives an early finisher so a catastrophic error can end the wait too.
 */
function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  onExpire: () => T,
  expose: (finish: (value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve) => {
    let settled = false;
    const finish = (value: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => finish(onExpire()), ms);
    expose(finish);
    work.then(finish);
  });
}

/** Turns a rejection from isolated-vm into an outcome. */
function classify(err: unknown, isolate: Isolate, timeoutMs: number): CallResult {
  const message = err instanceof Error ? err.message : String(err);
  if (/memory limit/i.test(message)) {
    return {
      ok: false,
      reason: 'oom',
      message: 'The function exceeded its memory limit',
      logs: NO_LOGS,
    };
  }
  if (/timed out/i.test(message)) return timedOut(timeoutMs);
  if (isolate.isDisposed) return timedOut(timeoutMs);
  // Errors thrown while loading (syntax error, top-level throw, no handler export):
  // isolated-vm copies them out as host errors with name, message and stack strings.
  const name = err instanceof Error ? err.name : 'Error';
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  return { ok: false, reason: 'error', message, error: { name, message, stack }, logs: NO_LOGS };
}

function timedOut(timeoutMs: number): CallResult {
  return {
    ok: false,
    reason: 'timeout',
    message: `The function timed out after ${timeoutMs} ms`,
    logs: NO_LOGS,
  };
}

function crashed(message: string): CallResult {
  return {
    ok: false,
    reason: 'crashed',
    message: `The isolate crashed: ${message}`,
    logs: NO_LOGS,
  };
}

function disposeQuietly(isolate: Isolate): void {
  try {
    if (!isolate.isDisposed) isolate.dispose();
  } catch {
    // already disposed by isolated-vm (memory limit); nothing left to free
  }
}
