import { Socket } from 'node:net';
import { type RunnableFunction, runtimeLimitsSchema } from '@mini-lambda/core';
import { createChannel } from '../ipc/channel.ts';
import { sandboxCodec, toWireError } from '../ipc/protocol.ts';
import { notRun } from '../not-run.ts';
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
      case 'invoke': {
        const entry = registered.get(m.ref);
        if (!entry) throw new Error(`Invoke of ref ${m.ref}, which is not registered`);
        // Calls queue in the pipe while a sync call runs: one that waited past the queue
        // bound is throttled unrun, as a waiter in an in-process pool would be.
        const waited = Date.now() - m.sentAt;
        if (waited > limits.queueTimeoutMs) {
          const message = `The sandbox stayed busy for ${Math.round(waited)} ms`;
          const outcome = notRun('throttled', message, 1000, m.invocationId);
          channel.send({ type: 'outcome', id: m.id, outcome });
          break;
        }
        inFlight++;
        entry.inFlight++;
        runtime
          .invoke(entry.fn, m.event, { invocationId: m.invocationId })
          .finally(() => {
            inFlight--;
            entry.inFlight--;
          })
          .then(
            (outcome) => channel.send({ type: 'outcome', id: m.id, outcome }),
            (err: unknown) => channel.send({ type: 'failed', id: m.id, error: toWireError(err) }),
          );
        break;
      }
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
channel.send({ type: 'ready' });

/** After dispose: the calls it ended still send their outcomes, then the channel is flushed. */
async function exitWhenAnswered(): Promise<void> {
  for (let i = 0; i < 400 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r)); // past the channel's flush
  channel.end(() => process.exit(0));
}
