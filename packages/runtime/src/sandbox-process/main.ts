import { Socket } from 'node:net';
import {
  type InvocationInput,
  type ModuleInspection,
  type OutboundResponse,
  type RunnableFunction,
  runtimeLimitsSchema,
} from '@mini-lambda/core';
import { createChannel } from '../ipc/channel.ts';
import { sandboxCodec, toWireError } from '../ipc/protocol.ts';
import { notRun } from '../not-run.ts';
import { preludeSources } from '../prelude-source.ts';
import { createInProcessRuntime } from '../runtime.ts';

/**
 * A sandbox process: the in-process runtime, driven over fd 3 by the supervisor. It holds
 * no secret and no data of the server's; bundles are asked for one at a time. When the
 * supervisor's end closes, or V8 loses control of an isolate, it ends itself with SIGKILL
 * (`process.exit` can hang behind a spinning isolate thread).
 */
// Our supervisor sends its limits parsed and complete: checked here, at this process's
// edge, with no defaults to fill in (a missing bound is a bug, not a default).
const limits = runtimeLimitsSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const die = () => process.kill(process.pid, 'SIGKILL');

/** Invocations not yet answered (dispose waits for their outcomes to go out). */
let inFlight = 0;
const codeRequests = new Map<
  number,
  { resolve: (code: string) => void; reject: (e: Error) => void }
>();
let nextCodeRequest = 1;

/** The host's call id of each invocation running here (its fetches name it). */
const callIds = new Map<string, number>();
/** Our outbound requests the host has not answered yet. */
const fetches = new Map<
  number,
  { resolve: (r: OutboundResponse) => void; reject: (e: Error) => void }
>();
let nextFetch = 1;

/** The records the host registered with us, by ref, with their calls in flight here. */
const registered = new Map<number, { fn: RunnableFunction; inFlight: number }>();

/**
 * The ref to ask for `fn`'s code by: one of the same bundle with a call in flight here.
 * The host serves code only for those (it keeps them registered until their outcomes
 * arrive), and a pool may hold the record of an earlier ref of its version.
 */
function refForCode(fn: RunnableFunction): number | undefined {
  let same: number | undefined;
  for (const [ref, entry] of registered) {
    if (entry.inFlight === 0) continue;
    if (entry.fn === fn) return ref;
    if (same === undefined && entry.fn.sha256 === fn.sha256) same = ref;
  }
  return same;
}

const runtime = createInProcessRuntime(
  {
    loadCode: (fn) =>
      new Promise<string>((resolve, reject) => {
        const ref = refForCode(fn);
        if (ref === undefined) {
          reject(new Error(`No call of ${fn.name} in flight to load its code for`));
          return;
        }
        const id = nextCodeRequest++;
        codeRequests.set(id, { resolve, reject });
        channel.send({ type: 'loadCode', id, ref });
      }),
    // A function's fetch is made by the host: this process has no network of its own.
    fetch: ({ invocationId }, request, signal) =>
      new Promise<OutboundResponse>((resolve, reject) => {
        const call = callIds.get(invocationId);
        if (call === undefined) {
          reject(new TypeError('The invocation has ended'));
          return;
        }
        const id = nextFetch++;
        fetches.set(id, { resolve, reject });
        channel.send({ type: 'fetch', id, call, request });
        signal.addEventListener('abort', () => {
          if (!fetches.delete(id)) return;
          channel.send({ type: 'fetchAbort', id });
          reject(signal.reason);
        });
      }),
    onCatastrophicError: (message, fn) => {
      channel.send({ type: 'catastrophe', message, ...(fn ? { name: fn.name } : {}) });
      setTimeout(die, 2000); // the supervisor kills us first; this is in case it cannot
    },
  },
  limits,
);

const channel = createChannel(new Socket({ fd: 3, readable: true, writable: true }), sandboxCodec, {
  onMessage: (m) => {
    switch (m.type) {
      case 'register':
        registered.set(m.ref, { fn: m.fn, inFlight: 0 });
        break;
      case 'unregister':
        registered.delete(m.ref);
        break;
      case 'invoke':
        run(m.id, m.ref, m.invocationId, m.sentAt, m.event);
        break;
      case 'invokeHttp':
        run(m.id, m.ref, m.invocationId, m.sentAt, { kind: 'http', request: m.request });
        break;
      case 'fetchReply':
        fetches.get(m.id)?.resolve(m.response);
        fetches.delete(m.id);
        break;
      case 'fetchError':
        // As fetch itself rejects: a TypeError with the reason (egress refused: …).
        fetches.get(m.id)?.reject(new TypeError(m.error.message ?? 'fetch failed'));
        fetches.delete(m.id);
        break;
      case 'code':
        codeRequests.get(m.id)?.resolve(m.code);
        codeRequests.delete(m.id);
        break;
      case 'codeError': {
        // The host's error, code kept, so it comes back out of invoke as the same error.
        const { code, message = '' } = m.error;
        codeRequests.get(m.id)?.reject(Object.assign(new Error(message), code ? { code } : {}));
        codeRequests.delete(m.id);
        break;
      }
      case 'retire':
        void runtime.retire(m.name, m.version);
        break;
      case 'inspect':
        void runtime
          .inspect(m.code, { memoryMb: m.memoryMb, name: m.name, env: m.env })
          .catch(
            (err: unknown): ModuleInspection => ({
              ok: false,
              reason: 'init_failed',
              message: err instanceof Error ? err.message : 'The module could not be evaluated',
            }),
          )
          .then((inspection) => channel.send({ type: 'inspected', id: m.id, inspection }));
        break;
      case 'stats':
        void runtime.stats().then((stats) => channel.send({ type: 'statsReply', id: m.id, stats }));
        break;
      case 'ping':
        void runtime.stats().then(({ totals }) => {
          const vitals = {
            rss: process.memoryUsage.rss(),
            reservedMb: totals.reserved_memory_mb,
            isolates: totals.isolates,
          };
          channel.send({ type: 'pong', id: m.id, vitals });
        });
        break;
      case 'dispose':
        setTimeout(die, 4500).unref(); // before the supervisor's own 5 s
        void runtime.dispose().then(exitWhenAnswered);
        break;
    }
  },
  onBroken: () => die(), // the supervisor is gone: nobody would ever read our answers
});
// The prelude and the platform's chunks (the Node built-ins among them) are built with
// esbuild before this sandbox says it is ready (~0.5 s of CPU): no call waits for them.
await preludeSources();
channel.send({ type: 'ready' });

/** Runs call `id` and sends its outcome, and `ended` once its ctx.waitUntil work is done. */
function run(
  id: number,
  ref: number,
  invocationId: string,
  sentAt: number,
  input: InvocationInput,
) {
  const entry = registered.get(ref);
  if (!entry) throw new Error(`Invoke of ref ${ref}, which is not registered`);
  // Calls queue in the pipe while a sync call runs: one that waited past the queue bound
  // is throttled unrun, as a waiter in an in-process pool would be.
  const waited = Date.now() - sentAt;
  if (waited > limits.queueTimeoutMs) {
    const message = `The sandbox stayed busy for ${Math.round(waited)} ms`;
    const outcome = notRun('throttled', message, 1000, invocationId);
    channel.send({ type: 'outcome', id, outcome });
    return;
  }
  inFlight++;
  entry.inFlight++;
  callIds.set(invocationId, id);
  let lingering: Promise<void> | undefined;
  const onLinger = (ended: Promise<void>) => {
    lingering = ended;
  };
  runtime
    .invoke(entry.fn, input, { invocationId, onLinger })
    .finally(() => {
      inFlight--;
      entry.inFlight--;
    })
    .then(
      (outcome) => {
        channel.send({ type: 'outcome', id, outcome, ...(lingering ? { lingering: true } : {}) });
        if (!lingering) return callIds.delete(invocationId);
        void lingering.finally(() => {
          callIds.delete(invocationId);
          channel.send({ type: 'ended', id });
        });
      },
      (err: unknown) => {
        callIds.delete(invocationId);
        channel.send({ type: 'failed', id, error: toWireError(err) });
      },
    );
}

/** After dispose: the calls it ended still send their outcomes, then the channel is flushed. */
async function exitWhenAnswered(): Promise<void> {
  for (let i = 0; i < 400 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r)); // past the channel's flush
  channel.end(() => process.exit(0));
}
