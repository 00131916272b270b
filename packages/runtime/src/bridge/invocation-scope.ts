import type { OutboundRequest, OutboundResponse } from '@mini-lambda/core';
import type { InvocationState } from '../host-ops/types.ts';

/** The instance's outbound client as one invocation reaches it (see docs/internals.md). */
export type InvocationFetch = (
  request: OutboundRequest,
  signal: AbortSignal,
) => Promise<OutboundResponse>;

/** Why an invocation's work was aborted: it ended. */
const ENDED = new DOMException('The invocation has ended', 'AbortError');

/** At most this many timers pending per invocation (docs/functions.md). */
export const MAX_TIMERS = 10_000;
/** At most this many host operations in flight per invocation. */
export const MAX_OPS = 1000;

/**
 * What one invocation started on the host: its timers and operations, all ended with
 * it. `init` is the scope of a module's top-level code, where synchronous operations
 * work but timers and asynchronous ones do not (no invocation would own them).
 */
export class InvocationScope implements InvocationState {
  // Made on first use: most invocations set no timer and start no operation.
  private timerTable: Map<number, NodeJS.Timeout> | undefined;
  private opTable: Map<number, AbortController> | undefined;
  /** The function called ctx.waitUntil: the invocation ends when those settle. */
  keepAlive = false;
  /** Made when something first needs the signal: aborting one costs microseconds per call. */
  private controller: AbortController | undefined;
  private isEnded = false;
  readonly deadline: number;
  readonly init: boolean;
  readonly fetch: InvocationFetch | undefined;
  /** The handler settled after its synchronous part (sync execution): take its envelope. */
  onSettled: (() => void) | undefined;
  /** The isolate failed while running work of this scope (a timer ran past the deadline). */
  onFault: (err: unknown) => void = () => {};

  constructor(options: { deadline: number; init?: boolean; fetch?: InvocationFetch | undefined }) {
    this.deadline = options.deadline;
    this.init = options.init ?? false;
    this.fetch = options.fetch;
  }

  get timers(): Map<number, NodeJS.Timeout> {
    this.timerTable ??= new Map();
    return this.timerTable;
  }

  get ops(): Map<number, AbortController> {
    this.opTable ??= new Map();
    return this.opTable;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.isEnded) this.controller.abort(ENDED);
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  clearTimer(id: unknown): void {
    if (typeof id !== 'number') return;
    const timer = this.timerTable?.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timerTable?.delete(id);
  }

  cancelOp(id: unknown): void {
    if (typeof id !== 'number') return;
    this.opTable?.get(id)?.abort();
    this.opTable?.delete(id);
  }

  /** Cancels every timer and operation still pending; nothing of this scope runs again. */
  end(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    // A reason of ours: Node would otherwise build a DOMException, with its stack, per call.
    this.controller?.abort(ENDED);
    if (this.timerTable) {
      for (const timer of this.timerTable.values()) clearTimeout(timer);
      this.timerTable.clear();
    }
    if (this.opTable) {
      for (const op of this.opTable.values()) op.abort();
      this.opTable.clear();
    }
  }
}
