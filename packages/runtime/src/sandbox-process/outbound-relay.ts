import type { OutboundRequest, RunnableFunction } from '@mini-lambda/core';
import { type HostMessage, ProtocolError, toWireError } from '../ipc/protocol.ts';
import type { OutboundFetch } from '../runtime.ts';

interface RelayedCall {
  fn: RunnableFunction;
  invocationId: string;
  /** The call's subrequest budget, counted here: a sandbox's word is not taken for it. */
  subrequests: { used: number };
  /** Its fetches in flight; made by its first fetch (most calls make none). */
  fetches: Set<number> | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** After its deadline a lingering call's requests end, whatever the sandbox says. */
const LINGER_GRACE_MS = 1000;

/**
 * A sandbox's outbound requests, made by this process for it: a sandbox has no network
 * of its own. A request must belong to a call of this sandbox that is running (or still
 * running its ctx.waitUntil work); its requests end when that call ends.
 */
export class OutboundRelay {
  private readonly calls = new Map<number, RelayedCall>();
  private readonly fetches = new Map<number, AbortController>();
  private readonly fetch: OutboundFetch | undefined;
  private readonly send: (m: HostMessage) => void;

  constructor(fetch: OutboundFetch | undefined, send: (m: HostMessage) => void) {
    this.fetch = fetch;
    this.send = send;
  }

  /** Call `id` was sent to the sandbox. */
  open(id: number, fn: RunnableFunction, invocationId: string): void {
    // Every call passes here: one object, nothing more until it fetches.
    this.calls.set(id, {
      fn,
      invocationId,
      subrequests: { used: 0 },
      fetches: undefined,
      timer: undefined,
    });
  }

  /** Call `id` has its outcome; lingering, it may fetch until `ended` or `untilMs` from now. */
  settled(id: number, lingering: boolean, untilMs: number): void {
    const call = this.calls.get(id);
    if (!call) return;
    if (!lingering) {
      this.close(id);
      return;
    }
    call.timer = setTimeout(() => this.close(id), Math.max(0, untilMs) + LINGER_GRACE_MS);
    call.timer.unref();
  }

  /** The call's lingering work is done (or the sandbox says so; then its requests end). */
  close(id: number): void {
    const call = this.calls.get(id);
    if (!call) return;
    clearTimeout(call.timer);
    this.calls.delete(id);
    for (const fetchId of call.fetches ?? []) this.abort(fetchId);
  }

  request(id: number, callId: number, request: OutboundRequest): void {
    const call = this.calls.get(callId);
    if (!call) throw new ProtocolError(`a fetch for call ${callId}, which is not running`);
    if (this.fetches.has(id)) throw new ProtocolError(`fetch id ${id} is already in flight`);
    if (!this.fetch) {
      const error = { message: 'egress refused: this instance has no outbound client' };
      this.send({ type: 'fetchError', id, error });
      return;
    }
    const controller = new AbortController();
    this.fetches.set(id, controller);
    call.fetches ??= new Set();
    call.fetches.add(id);
    const { fn, invocationId, subrequests } = call;
    this.fetch({ fn, invocationId, subrequests }, request, controller.signal)
      .then(
        (response) => {
          if (!controller.signal.aborted) this.send({ type: 'fetchReply', id, response });
        },
        (err: unknown) => {
          if (!controller.signal.aborted)
            this.send({ type: 'fetchError', id, error: toWireError(err) });
        },
      )
      .finally(() => {
        if (this.fetches.get(id) === controller) this.fetches.delete(id);
        call.fetches?.delete(id);
      });
  }

  /** Ends fetch `id` (the function gave up on it, or its call ended). */
  abort(id: number): void {
    this.fetches.get(id)?.abort();
    this.fetches.delete(id);
  }

  /** The sandbox is gone: everything it asked for ends. */
  closeAll(): void {
    for (const id of [...this.calls.keys()]) this.close(id);
    for (const controller of this.fetches.values()) controller.abort();
    this.fetches.clear();
  }
}
