import { HOST_OPS, HostOpError, type IsolateState } from '../host-ops/index.ts';
import ivm, { type Reference } from '../ivm.ts';
import { type InvocationScope, MAX_OPS, MAX_TIMERS } from './invocation-scope.ts';
import { checkOutboundRequest } from './outbound-request.ts';

/** A host call's answer as the isolate receives it (copied in). */
export type Reply = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/** prelude/bridge.js's `deliver`: a timer fired, or an operation finished. */
export type Deliver = (
  kind: 'timer' | 'op',
  id: number,
  ok: boolean,
  value: unknown,
  name?: string,
) => void;

const MAX_DELAY_MS = 2 ** 31 - 1;
const ERROR_MESSAGE_LIMIT = 1024;

/**
 * The sandbox process's end of the bridge (prelude/bridge.js is the isolate's): one per
 * isolate. It answers the isolate's host calls for the scope that is current (an
 * invocation, or the module's top-level code), runs its timers and operations with
 * Node's, and hands their results back into the isolate within the invocation's deadline.
 */
export class HostBridge {
  readonly callback: ivm.Callback;
  /** Set once the prelude is installed. */
  deliverRef: Reference<Deliver> | undefined;
  readonly isolateState: IsolateState;
  private scope: InvocationScope | undefined;
  private nextId = 1;
  /** Asynchronous operations of this isolate still running on the host, whatever their scope. */
  private readonly working = { ops: 0, bytes: 0 };
  private readonly sync: boolean;

  private readonly loadChunk: (name: unknown, timeoutMs: number) => void;

  /**
   * `sync`: the isolate runs on this thread (sandbox execution), so deliver without a hop.
   * `loadChunk`: compiles a part of the platform into the isolate on first use.
   */
  /** The isolate is beyond use (a chunk load failed under user code): dispose it now. */
  onLost: (err: unknown) => void = () => {};
  /** Bytes handed to operations in progress, at most: a quarter of the isolate's memory. */
  private readonly maxWorkingBytes: number;

  constructor(
    sync: boolean,
    loadChunk: (name: unknown, timeoutMs: number) => void,
    memoryMb: number,
  ) {
    this.sync = sync;
    this.loadChunk = loadChunk;
    // Each such byte is held up to three times (the isolate, this process, WebCrypto).
    this.maxWorkingBytes = Math.min(MAX_WORKING_BYTES, (memoryMb * 1024 * 1024) / 4);
    this.isolateState = { slots: new Map(), memoryBytes: memoryMb * 1024 * 1024 };
    this.callback = new ivm.Callback((op: unknown, args: unknown) => this.answer(op, args));
  }

  /** Makes `scope` current: host calls from now on belong to it. */
  enter(scope: InvocationScope): void {
    this.scope?.end();
    this.scope = scope;
  }

  /** Ends `scope` (if still current): its timers and operations are cancelled. */
  leave(scope: InvocationScope): void {
    scope.end();
    if (this.scope === scope) this.scope = undefined;
  }

  private answer(op: unknown, args: unknown): Reply {
    if (typeof op !== 'string' || !Array.isArray(args)) {
      return { ok: false, name: 'TypeError', message: 'Malformed host call' };
    }
    try {
      return { ok: true, value: this.run(op, args) };
    } catch (err) {
      return replyOf(err);
    }
  }

  private run(op: string, args: unknown[]): unknown {
    const scope = this.scope;
    switch (op) {
      case 'timer.set':
        return this.setTimer(this.running(scope, 'Timers'), args[0], args[1]);
      case 'timer.clear':
        scope?.clearTimer(args[0]);
        return undefined;
      case 'op.start':
        return this.startOp(scope, args[0], args[1]);
      case 'op.cancel':
        scope?.cancelOp(args[0]);
        return undefined;
      case 'invocation.keepAlive':
        if (scope) scope.keepAlive = true;
        return undefined;
      case 'invocation.settled':
        if (scope && !scope.ended) scope.onSettled?.();
        return undefined;
      case 'chunk.load':
        // Also at module top level: it only defines code. Bounded by what is left of the
        // scope's time: user code may have replaced what the chunk's code calls, and a
        // nested call without a timeout would lift the outer call's.
        try {
          this.loadChunk(
            args[0],
            Math.max(1, Math.ceil((scope?.deadline ?? 0) - performance.now())),
          );
        } catch (err) {
          // Not a catchable error for user code: while the chunk ran, the outer call's timer
          // was paused, so catching this would buy the function another timeout's worth of
          // time. The isolate goes (timed out, or in a state we cannot vouch for).
          if (!(err instanceof HostOpError)) this.onLost(err);
          throw err;
        }
        return undefined;
    }
    const impl = Object.hasOwn(HOST_OPS.sync, op) ? HOST_OPS.sync[op] : undefined;
    if (!impl) throw new HostOpError('TypeError', `Unknown host operation ${op.slice(0, 64)}`);
    if (!scope || scope.ended)
      throw new HostOpError('InvalidStateError', 'No invocation is running');
    return impl({ isolate: this.isolateState, invocation: scope }, args);
  }

  /** The current scope when it is an invocation's; refuses at module top level. */
  private running(scope: InvocationScope | undefined, what: string): InvocationScope {
    if (!scope || scope.ended)
      throw new HostOpError('InvalidStateError', 'No invocation is running');
    if (scope.init) {
      throw new HostOpError(
        'TypeError',
        `${what} cannot be used in a module's top-level code; use them inside the handler`,
      );
    }
    return scope;
  }

  private setTimer(scope: InvocationScope, ms: unknown, repeat: unknown): number {
    if (typeof ms !== 'number' || typeof repeat !== 'boolean') {
      throw new HostOpError('TypeError', 'Malformed timer');
    }
    if (scope.timers.size >= MAX_TIMERS) {
      throw new HostOpError(
        'RangeError',
        `An invocation may have at most ${MAX_TIMERS} timers pending`,
      );
    }
    const id = this.nextId++;
    // As in Node: at least 1 ms, so `setInterval(f, 0)` cannot starve this thread.
    const delay = Math.min(Math.max(1, Number.isFinite(ms) ? ms : 1), MAX_DELAY_MS);
    const fire = () => {
      if (!repeat) scope.timers.delete(id);
      this.deliver(scope, 'timer', id, true, undefined);
    };
    scope.timers.set(id, repeat ? setInterval(fire, delay) : setTimeout(fire, delay));
    return id;
  }

  private startOp(scope: InvocationScope | undefined, op: unknown, args: unknown): number {
    const running = this.running(scope, typeof op === 'string' ? op.slice(0, 64) : 'Operations');
    if (typeof op !== 'string' || !Array.isArray(args)) {
      throw new HostOpError('TypeError', 'Malformed host operation');
    }
    const impl =
      op === 'fetch'
        ? undefined
        : Object.hasOwn(HOST_OPS.async, op)
          ? HOST_OPS.async[op]
          : undefined;
    if (op !== 'fetch' && !impl)
      throw new HostOpError('TypeError', `Unknown host operation ${op.slice(0, 64)}`);
    if (running.ops.size >= MAX_OPS) {
      throw new HostOpError(
        'RangeError',
        `An invocation may have at most ${MAX_OPS} operations pending`,
      );
    }
    // Work on Node's thread pool (WebCrypto, zlib) cannot be stopped once started, and it
    // outlives a cancelled invocation: bounded per isolate until it really ends, in count
    // and in the bytes handed to it. Fetches are bounded by the server (max_subrequests).
    const bytes = op === 'fetch' ? 0 : bytesIn(args);
    if (op !== 'fetch') {
      if (
        this.working.ops >= MAX_WORKING_OPS ||
        this.working.bytes + bytes > this.maxWorkingBytes
      ) {
        throw new HostOpError(
          'QuotaExceededError',
          `At most ${MAX_WORKING_OPS} operations and ${this.maxWorkingBytes} bytes may be in progress at once`,
        );
      }
      this.working.ops++;
      this.working.bytes += bytes;
    }
    const id = this.nextId++;
    const controller = new AbortController();
    const started =
      op === 'fetch'
        ? this.fetch(running, args, controller.signal)
        : (impl as NonNullable<typeof impl>)(
            { isolate: this.isolateState, invocation: running },
            args,
            controller.signal,
          );
    if (op !== 'fetch') {
      const done = () => {
        this.working.ops--;
        this.working.bytes -= bytes;
      };
      started.then(done, done);
    }
    running.ops.set(id, controller);
    started.then(
      (value) => {
        if (running.ops.delete(id)) this.deliver(running, 'op', id, true, value);
      },
      (err: unknown) => {
        if (!running.ops.delete(id)) return;
        const reply = replyOf(err);
        if (!reply.ok) this.deliver(running, 'op', id, false, reply.message, reply.name);
      },
    );
    return id;
  }

  private async fetch(scope: InvocationScope, args: unknown[], signal: AbortSignal) {
    const request = checkOutboundRequest(args[0]);
    if (!scope.fetch)
      throw new HostOpError('TypeError', 'egress refused: this runtime has no outbound client');
    const response = await scope.fetch(request, signal);
    return { ...response, headers: response.headers };
  }

  /** Hands a timer or an operation's result to the isolate, bounded by the deadline. */
  private deliver(
    scope: InvocationScope,
    kind: 'timer' | 'op',
    id: number,
    ok: boolean,
    value: unknown,
    name?: string,
  ): void {
    const ref = this.deliverRef;
    if (this.scope !== scope || scope.ended || !ref) return;
    const left = Math.ceil(scope.deadline - performance.now());
    if (left <= 0) return; // the invocation's own deadline ends it
    const args: Parameters<Deliver> =
      name === undefined ? [kind, id, ok, value] : [kind, id, ok, value, name];
    const options = { arguments: { copy: true }, timeout: left } as const;
    if (this.sync) {
      try {
        ref.applySync(undefined, args, options);
      } catch (err) {
        scope.onFault(err);
      }
    } else {
      ref.apply(undefined, args, options).catch((err: unknown) => scope.onFault(err));
    }
  }
}

/** Operations of one isolate in progress on the host at once, at most (docs/functions.md). */
const MAX_WORKING_OPS = 16;
/** Bytes handed to them, at most (and a quarter of the isolate's memory). */
const MAX_WORKING_BYTES = 64 * 1024 * 1024;

/** Bytes of the buffers among `args` (and one level into arrays and objects). */
function bytesIn(args: unknown[]): number {
  let total = 0;
  const count = (v: unknown, depth: number): void => {
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) total += v.byteLength;
    else if (depth > 0 && v !== null && typeof v === 'object') {
      for (const inner of Object.values(v)) count(inner, depth - 1);
    }
  };
  for (const arg of args) count(arg, 2);
  return total;
}

/** An error as the isolate gets it: a name and a bounded message, nothing else of ours. */
function replyOf(err: unknown): Reply {
  if (err instanceof HostOpError || (err instanceof Error && typeof err.name === 'string')) {
    return {
      ok: false,
      name: err.name.slice(0, 64),
      message: String(err.message).slice(0, ERROR_MESSAGE_LIMIT),
    };
  }
  return { ok: false, name: 'Error', message: 'The operation failed' };
}
