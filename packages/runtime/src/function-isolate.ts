import type { InvocationInput, RunnableFunction } from '@mini-lambda/core';
import { type BlankIsolate, createBlankIsolate, disposeIsolate } from './blank-isolate.ts';
import type { HostBridge } from './bridge/host-bridge.ts';
import { type InvocationFetch, InvocationScope } from './bridge/invocation-scope.ts';
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
import { evaluateModule, functionMeta } from './module.ts';

/** Everything needed to bring up one isolate for a function version. */
export interface IsolateSpec {
  fn: RunnableFunction;
  code: string;
  codeCache: CodeCache;
  preludeCache: CodeCache;
  chunkCaches: Map<string, CodeCache>;
  logLimit: number;
  maxResultBytes: number;
  /** Bound on creating the isolate and running the module's top-level code. */
  initTimeoutMs: number;
  /** Warm calls run on this thread (a sandbox), not on isolated-vm's pool. */
  syncExecution: boolean;
  /** V8 lost control of this isolate; the process should be recycled. */
  onCatastrophicError: (message: string) => void;
}

type RunArgs = [event: string, invocationId: string, timeoutMs: number];
type RunHttpArgs = [
  invocationId: string,
  timeoutMs: number,
  method: string,
  url: string,
  headers: [string, string][],
  body: Uint8Array | null,
];

/** Host references to the prelude's entry points (see sandbox/prelude/handler.js). */
interface Entry {
  runSync: Reference<(...args: RunArgs) => string>;
  runHttpSync: Reference<(...args: RunHttpArgs) => string>;
  take: Reference<() => string>;
  wait: Reference<() => Promise<string>>;
  takeBody: Reference<() => Uint8Array | undefined>;
  drain: Reference<() => Promise<string>>;
}
const ENTRY_KEYS = ['runSync', 'runHttpSync', 'take', 'wait', 'takeBody', 'drain'] as const;

/** What an invocation may reach besides its isolate. */
export interface CallIo {
  /** The instance's outbound client for this invocation; fetch is refused without it. */
  fetch?: InvocationFetch | undefined;
  /** Async execution: the handler's synchronous part is done and it awaits (no CPU held). */
  suspended?: () => void;
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
  /** The invocation's ctx.waitUntil work, still running after its result went out. */
  private draining: Promise<void> | undefined;

  private readonly isolate: Isolate;
  private readonly entry: Entry;
  private readonly bridge: HostBridge;
  private readonly limits: EnvelopeLimits;
  private readonly sync: boolean;

  private constructor(blank: BlankIsolate, entry: Entry, limits: EnvelopeLimits, sync: boolean) {
    this.isolate = blank.isolate;
    this.bridge = blank.bridge;
    // Disposed from inside the host call: the running call then ends with this reason.
    this.bridge.onLost = (err) =>
      this.dispose(err instanceof Error && /timed out/i.test(err.message) ? 'timeout' : 'crashed');
    this.entry = entry;
    this.limits = limits;
    this.sync = sync;
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
          chunkCaches: spec.chunkCaches,
          logLimit: spec.logLimit,
          maxResultBytes: spec.maxResultBytes,
          syncExecution: spec.syncExecution,
          onCatastrophicError,
        }));
      blank.onCatastrophicError = onCatastrophicError;
      isolate = blank.isolate;
      const init = new InvocationScope({
        deadline: performance.now() + spec.initTimeoutMs,
        init: true,
      });
      blank.bridge.enter(init);
      try {
        const module = await evaluateModule(
          blank,
          spec.code,
          spec.codeCache,
          functionMeta(fn),
          spec.initTimeoutMs,
        );
        // The namespace is the user's own object in its own isolate; only the host holds
        // references to the entry points attach returns.
        const entries = (await blank.attach.apply(undefined, [module.namespace.derefInto(), ''], {
          result: { reference: true },
          timeout: spec.initTimeoutMs,
        })) as Reference<Record<keyof Entry, unknown>>;
        const entry = Object.fromEntries(
          ENTRY_KEYS.map((key) => [key, entries.getSync(key, { reference: true })]),
        ) as unknown as Entry;
        self = new FunctionIsolate(
          blank,
          entry,
          { maxResultBytes: spec.maxResultBytes, logLimit: spec.logLimit },
          spec.syncExecution,
        );
        return self;
      } finally {
        blank.bridge.leave(init);
      }
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
   * Runs one invocation; always settles, by `timeoutMs` at the latest. In sync execution
   * the handler's synchronous part runs on this thread, blocking it (≈ 2 µs per call
   * instead of ≈ 40 µs of thread hand-off; isolated-vm's timer still ends sync and
   * microtask loops, but a catastrophic V8 error would hang this thread: only for
   * processes a supervisor can kill, never for the server's event loop). Otherwise on
   * isolated-vm's thread pool. Either way a handler that awaits holds no thread.
   */
  call(
    input: InvocationInput,
    invocationId: string,
    timeoutMs: number,
    io: CallIo = {},
  ): CallResult | Promise<CallResult> {
    const startedAt = performance.now();
    const scope = new InvocationScope({ deadline: startedAt + timeoutMs, fetch: io.fetch });
    scope.onFault = (err) => this.finishPending?.(this.failed(err, startedAt, timeoutMs));
    this.bridge.enter(scope);
    if (!this.sync) return this.callAsync(input, invocationId, timeoutMs, io, scope, startedAt);
    let raw: string;
    try {
      raw = this.start(input, invocationId, timeoutMs, 'sync') as string;
      if (raw === '') raw = this.entry.take.applySync(undefined, [], { timeout: timeoutMs });
    } catch (err) {
      return this.ended(scope, this.failed(err, startedAt, timeoutMs));
    }
    if (raw !== '') return this.finishRaw(raw, scope, startedAt, timeoutMs);
    return this.waitFor(scope, startedAt, timeoutMs);
  }

  private async callAsync(
    input: InvocationInput,
    invocationId: string,
    timeoutMs: number,
    io: CallIo,
    scope: InvocationScope,
    startedAt: number,
  ): Promise<CallResult> {
    // Bounded by our own deadline too: an isolate V8 cannot terminate never settles this.
    const first = await this.settle(
      this.start(input, invocationId, timeoutMs, 'async') as Promise<string>,
      startedAt,
      timeoutMs,
      timeoutMs,
    );
    if (typeof first !== 'string') return this.ended(scope, first);
    if (first !== '') return this.finishRaw(first, scope, startedAt, timeoutMs);
    io.suspended?.();
    return this.waitFor(scope, startedAt, timeoutMs);
  }

  /** Calls the entry point for `input`; '' means the handler is still running. */
  private start(
    input: InvocationInput,
    invocationId: string,
    timeoutMs: number,
    mode: 'sync' | 'async',
  ): string | Promise<string> {
    // Not redundant with our deadline: only isolated-vm's timer notices an isolate that
    // fails to terminate and reports it as catastrophic (measured: without it,
    // `new Array(6e7).fill(0)` left a thread spinning with no report at all).
    if (typeof input === 'string') {
      const args: RunArgs = [input, invocationId, timeoutMs];
      return mode === 'sync'
        ? this.entry.runSync.applySync(undefined, args, { timeout: timeoutMs })
        : this.entry.runSync.apply(undefined, args, { timeout: timeoutMs });
    }
    const { method, url, headers, body } = input.request;
    const args: RunHttpArgs = [invocationId, timeoutMs, method, url, headers, body];
    const options = { timeout: timeoutMs, arguments: { copy: true } } as const;
    return mode === 'sync'
      ? this.entry.runHttpSync.applySync(undefined, args, options)
      : this.entry.runHttpSync.apply(undefined, args, options);
  }

  private waitFor(
    scope: InvocationScope,
    startedAt: number,
    timeoutMs: number,
  ): Promise<CallResult> {
    const left = Math.max(1, Math.ceil(timeoutMs - (performance.now() - startedAt)));
    // Sync execution: the prelude hands the envelope over itself (invocation.settled), from
    // within the host call that let the handler finish; ≈ 2 µs instead of two hops to and
    // from isolated-vm's thread pool (measured: 185 µs of CPU per awaiting call before).
    const waiting = this.sync
      ? new Promise<string>((resolve) => {
          scope.onSettled = () =>
            resolve(this.entry.take.applySync(undefined, [], { timeout: left }));
        })
      : this.entry.wait.apply(undefined, [], { result: { promise: true }, timeout: left });
    return this.settle(waiting, startedAt, timeoutMs, left).then(async (result) => {
      if (typeof result === 'string') return this.finishRaw(result, scope, startedAt, timeoutMs);
      return this.ended(scope, result);
    });
  }

  /**
   * Reads an envelope; a response's body is fetched apart, as bytes. Synchronous in sync
   * execution: the isolate is then free again before this thread reads the next call
   * (a promise here made every call of a batch take an isolate of its own).
   */
  private finishRaw(
    raw: string,
    scope: InvocationScope,
    startedAt: number,
    timeoutMs: number,
  ): CallResult | Promise<CallResult> {
    const result = readEnvelope(raw, this.limits);
    const response = result.ok ? result.response : undefined;
    if (!response) return this.ended(scope, result);
    const withBody = (body: unknown): CallResult => {
      response.body = body instanceof Uint8Array ? body : new Uint8Array(0);
      // The prelude bounds it too; this holds whatever user code did to the prelude's world.
      if (response.body.byteLength > this.limits.maxResultBytes) {
        const message = `The response is larger than ${this.limits.maxResultBytes} bytes`;
        return this.ended(scope, {
          ok: false,
          reason: 'result_too_large',
          message,
          logs: result.logs,
        });
      }
      return this.ended(scope, result);
    };
    const lost = (err: unknown) => this.ended(scope, this.failed(err, startedAt, timeoutMs));
    const options = { result: { copy: true }, timeout: timeoutMs } as const;
    if (!this.sync) return this.entry.takeBody.apply(undefined, [], options).then(withBody, lost);
    try {
      return withBody(this.entry.takeBody.applySync(undefined, [], options));
    } catch (err) {
      return lost(err);
    }
  }

  /**
   * The result is out: the invocation's timers and operations end now, unless it asked
   * (ctx.waitUntil) to run on; then they end when that work settles or at the deadline.
   */
  private ended(scope: InvocationScope, result: CallResult): CallResult {
    if (!scope.keepAlive || !this.reusable) {
      this.bridge.leave(scope);
      return result;
    }
    const left = Math.ceil(scope.deadline - performance.now());
    if (left <= 0) {
      this.bridge.leave(scope);
      return result;
    }
    const drained = this.entry.drain
      .apply(undefined, [], { result: { promise: true }, timeout: left })
      .then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), left);
    });
    this.draining = Promise.race([drained, deadline])
      .then(
        (how) => {
          // Work still running at the deadline is ended with the isolate.
          if (how === 'late') this.dispose('timeout');
        },
        () => this.dispose('crashed'),
      )
      .finally(() => {
        clearTimeout(timer);
        this.bridge.leave(scope);
        this.draining = undefined;
      });
    return result;
  }

  /** The last invocation's ctx.waitUntil work, if any still runs: release the isolate after. */
  afterCall(): Promise<void> | undefined {
    return this.draining;
  }

  /**
   * Bounds `running` by `deadlineMs`; outcomes name the function's own `timeoutMs`. An
   * envelope comes back as the raw string, for the caller to read.
   */
  private settle(
    running: Promise<unknown>,
    startedAt: number,
    timeoutMs: number,
    deadlineMs: number,
  ): Promise<CallResult | string> {
    const settled = running.then(
      (raw): CallResult | string =>
        typeof raw === 'string' ? raw : readEnvelope(raw, this.limits),
      (err: unknown) => this.failed(err, startedAt, timeoutMs),
    );
    return withDeadline<CallResult | string>(
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
      const reason = typeof result === 'string' ? undefined : disposeReasonOf(result);
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
