/**
 * Host operations: what the in-isolate platform asks the sandbox process to do (URL
 * parsing, WebCrypto, compression, …). Arguments come from hostile code: an operation
 * checks every type and size before use and throws `HostOpError` for a clean error in
 * the isolate.
 */

/** Ends a host operation with an error of this name in the isolate (TypeError, DataError, …). */
export class HostOpError extends Error {
  override readonly name: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** State that lives as long as the isolate (crypto keys), dropped with it. */
export interface IsolateState {
  /** Values by name, one per host-op module (for example the crypto key table). */
  readonly slots: Map<string, unknown>;
  /** The isolate's memory limit: what a host op may hand back to it is bounded by it. */
  readonly memoryBytes: number;
}

/** What ends with the invocation: aborted then, with everything started under it. */
export interface InvocationState {
  readonly signal: AbortSignal;
  /** performance.now() deadline of the invocation. */
  readonly deadline: number;
}

export interface HostOpContext {
  isolate: IsolateState;
  invocation: InvocationState;
}

export type SyncOp = (ctx: HostOpContext, args: unknown[]) => unknown;
export type AsyncOp = (
  ctx: HostOpContext,
  args: unknown[],
  signal: AbortSignal,
) => Promise<unknown>;

export interface HostOps {
  sync: Readonly<Record<string, SyncOp>>;
  async: Readonly<Record<string, AsyncOp>>;
}
