import type { RunnableFunction } from '@mini-lambda/core';
import { type BlankIsolate, createBlankIsolate, disposeIsolate } from './blank-isolate.ts';
import type { CodeCache } from './code-cache.ts';
import { type CallResult, type EnvelopeLimits, readEnvelope } from './envelope.ts';
import {
  classify,
  crashed,
  type DisposeReason,
  disposeReasonOf,
  timedOut,
  withDeadline,
} from './failures.ts';
import type { Isolate, Reference } from './ivm.ts';

/** Everything needed to bring up one isolate for a function version. */
export interface IsolateSpec {
  fn: RunnableFunction;
  code: string;
  codeCache: CodeCache;
  preludeCache: CodeCache;
  logLimit: number;
  maxResultBytes: number;
  /** Bound on creating the isolate and running the module's top-level code. */
  initTimeoutMs: number;
  /** V8 lost control of this isolate; the process should be recycled. */
  onCatastrophicError: (message: string) => void;
}

type Start = (event: string, invocationId: string, timeoutMs: number) => string;

/** Host references to the prelude's entry points (see sandbox/prelude.js). */
interface Entry {
  run: Reference<(...args: Parameters<Start>) => Promise<string>>;
  runSync: Reference<Start>;
  take: Reference<() => string>;
  wait: Reference<() => Promise<string>>;
}

/**
 * One warm isolate: a context with the prelude and a compiled handler. Runs one
 * invocation at a time; after a timeout, OOM or crash it is disposed and never reused.
 */
export class FunctionIsolate {
  /** performance.now() of the last release; the pool's LRU and idle TTL read it. */
  lastUsedAt = performance.now();
  private finishPending: ((result: CallResult) => void) | undefined;
  private disposedBecause: DisposeReason | undefined;

  private readonly isolate: Isolate;
  private readonly entry: Entry;
  private readonly limits: EnvelopeLimits;

  private constructor(isolate: Isolate, entry: Entry, limits: EnvelopeLimits) {
    this.isolate = isolate;
    this.entry = entry;
    this.limits = limits;
  }

  /** False once the isolate is disposed or in an unknown state. */
  get reusable(): boolean {
    return this.disposedBecause === undefined && !this.isolate.isDisposed;
  }

  /**
   * Creates the isolate, runs the prelude, compiles and evaluates the module and binds
   * its handler, all within `initTimeoutMs` (Lambda's separate init phase: top-level
   * code does not eat into the invocation's `timeout_ms`).
   */
  static async create(
    spec: IsolateSpec,
    spare: BlankIsolate | undefined,
  ): Promise<{ ok: true; isolate: FunctionIsolate } | { ok: false; failure: CallResult }> {
    const { fn } = spec;
    let self: FunctionIsolate | undefined;
    let crash: ((r: CallResult) => void) | undefined;
    let isolate: Isolate | undefined = spare?.isolate;
    const onCatastrophicError = (message: string): void => {
      const result = crashed(message);
      if (self) self.fail(result);
      else crash?.(result);
      spec.onCatastrophicError(message);
    };
    const build = async (): Promise<FunctionIsolate> => {
      const blank =
        spare ??
        (await createBlankIsolate({
          memoryMb: fn.config.memory_mb,
          preludeCache: spec.preludeCache,
          logLimit: spec.logLimit,
          onCatastrophicError,
        }));
      blank.onCatastrophicError = onCatastrophicError;
      isolate = blank.isolate;
      const module = await spec.codeCache.compile((o) =>
        blank.isolate.compileModule(spec.code, { ...o, filename: `${fn.name}@${fn.version}.js` }),
      );
      await module.instantiate(blank.context, (specifier: string) => {
        throw new Error(`Imports are resolved at build time; cannot import "${specifier}"`);
      });
      await module.evaluate({ timeout: spec.initTimeoutMs });
      const meta = {
        name: fn.name,
        version: fn.version,
        memoryMb: fn.config.memory_mb,
        env: fn.config.env,
      };
      // The namespace is the user's own object in its own isolate; only the host holds
      // references to the entry points attach returns.
      const entries = (await blank.attach.apply(
        undefined,
        [module.namespace.derefInto(), JSON.stringify(meta)],
        { result: { reference: true } },
      )) as Reference<Record<keyof Entry, unknown>>;
      const ref = (key: keyof Entry) => entries.getSync(key, { reference: true });
      const entry = {
        run: ref('run'),
        runSync: ref('runSync'),
        take: ref('take'),
        wait: ref('wait'),
      } as Entry;
      self = new FunctionIsolate(blank.isolate, entry, {
        maxResultBytes: spec.maxResultBytes,
        logLimit: spec.logLimit,
      });
      return self;
    };
    const startedAt = performance.now();
    const building = build();
    const outcome = await withDeadline(
      building.then(
        (created) => ({ ok: true as const, isolate: created }),
        (err: unknown) => ({
          ok: false as const,
          failure: classify(err, {
            isolate,
            disposedBecause: undefined,
            startedAt,
            timeoutMs: spec.initTimeoutMs,
          }),
        }),
      ),
      spec.initTimeoutMs,
      () => ({ ok: false as const, failure: timedOut(spec.initTimeoutMs) }),
      (finish) => {
        crash = (failure) => finish({ ok: false, failure });
      },
    );
    if (!outcome.ok) {
      if (isolate) disposeIsolate(isolate);
      // Past the deadline the build may still finish (or create its isolate) later.
      building.then(
        (late) => late.dispose('timeout'),
        () => isolate && disposeIsolate(isolate),
      );
    }
    return outcome;
  }

  /**
   * Runs one invocation on isolated-vm's thread pool, leaving this thread free; always
   * settles, by `timeoutMs` at the latest.
   */
  call(event: string, invocationId: string, timeoutMs: number): Promise<CallResult> {
    const startedAt = performance.now();
    const running = this.entry.run.apply(undefined, [event, invocationId, timeoutMs], {
      result: { promise: true },
      // Not redundant with our deadline: only isolated-vm's timer notices an isolate
      // that fails to terminate and reports it as catastrophic (measured: without it,
      // `new Array(6e7).fill(0)` left a thread spinning with no report at all).
      timeout: timeoutMs,
    });
    return this.settle(running, startedAt, timeoutMs, timeoutMs);
  }

  /**
   * Runs one invocation on this thread, blocking it while user code runs (≈ 2 µs per
   * call instead of ≈ 40 µs of thread hand-off). isolated-vm's own timer still ends sync
   * and microtask loops, but a catastrophic V8 error would hang this thread: only for
   * processes a supervisor can kill (sandboxes), never for the server's event loop.
   * A handler still pending after its microtasks is awaited asynchronously.
   */
  callSync(
    event: string,
    invocationId: string,
    timeoutMs: number,
  ): CallResult | Promise<CallResult> {
    const startedAt = performance.now();
    try {
      const args = [event, invocationId, timeoutMs] as const;
      let raw = this.entry.runSync.applySync(undefined, [...args], { timeout: timeoutMs });
      if (raw === '') raw = this.entry.take.applySync(undefined, [], { timeout: timeoutMs });
      if (raw !== '') return readEnvelope(raw, this.limits);
    } catch (err) {
      return this.failed(err, startedAt, timeoutMs);
    }
    const left = Math.max(1, Math.ceil(timeoutMs - (performance.now() - startedAt)));
    const waiting = this.entry.wait.apply(undefined, [], {
      result: { promise: true },
      timeout: left,
    });
    return this.settle(waiting, startedAt, timeoutMs, left);
  }

  /** Bounds `running` by `deadlineMs`; outcomes name the function's own `timeoutMs`. */
  private settle(
    running: Promise<unknown>,
    startedAt: number,
    timeoutMs: number,
    deadlineMs: number,
  ): Promise<CallResult> {
    const settled = running.then(
      (raw) => readEnvelope(raw, this.limits),
      (err: unknown) => this.failed(err, startedAt, timeoutMs),
    );
    return withDeadline(
      settled,
      deadlineMs,
      () => {
        this.dispose('timeout'); // terminates whatever still runs in the isolate
        return timedOut(timeoutMs);
      },
      (finish) => {
        this.finishPending = finish;
      },
    ).then((result) => {
      this.finishPending = undefined;
      const reason = disposeReasonOf(result);
      if (reason) this.dispose(reason);
      return result;
    });
  }

  /**
   * The prelude catches everything user code throws, so a rejection means the isolate
   * itself failed (limit, termination): its state is unknown and it goes.
   */
  private failed(err: unknown, startedAt: number, timeoutMs: number): CallResult {
    const { isolate, disposedBecause } = this;
    const failure = classify(err, { isolate, disposedBecause, startedAt, timeoutMs });
    this.dispose(disposeReasonOf(failure) ?? 'crashed');
    return failure;
  }

  /** Ends the call in flight (if any) with `result` and disposes the isolate. */
  private fail(result: CallResult): void {
    this.finishPending?.(result);
    this.dispose('crashed');
  }

  /** Disposes the isolate; the first reason given is how a call still running in it ends. */
  dispose(reason: DisposeReason = 'shutdown'): void {
    if (this.disposedBecause !== undefined) return;
    this.disposedBecause = reason;
    disposeIsolate(this.isolate);
  }
}
