import { Socket } from 'node:net';
import {
  type InvocationOutcome,
  parseRuntimeLimits,
  type RunnableFunction,
} from '@mini-lambda/core';
import { createChannel } from '../ipc/channel.ts';
import { MSG } from '../ipc/messages.ts';
import { notRun } from '../not-run.ts';
import { createInProcessRuntime } from '../runtime.ts';

/**
 * A sandbox process: the in-process runtime, driven over fd 3 by the supervisor. It holds
 * no secret and no data of the server's; bundles are asked for one at a time. When the
 * supervisor's end closes, or V8 loses control of an isolate, it ends itself with SIGKILL
 * (`process.exit` can hang behind a spinning isolate thread).
 */
const limits = parseRuntimeLimits(JSON.parse(process.argv[2] ?? '{}'));
const die = () => process.kill(process.pid, 'SIGKILL');

/** Invocations not yet answered (dispose waits for their outcomes to go out). */
let inFlight = 0;
const codeRequests = new Map<
  number,
  { resolve: (code: string) => void; reject: (e: Error) => void }
>();
let nextCodeRequest = 1;

/** Parsed function records by their JSON: the host sends the same string for the same record. */
const functions = new Map<string, RunnableFunction>();
function functionOf(json: string): RunnableFunction {
  let fn = functions.get(json);
  if (!fn) {
    fn = JSON.parse(json) as RunnableFunction;
    if (functions.size >= 1000) functions.delete(functions.keys().next().value as string);
    functions.set(json, fn);
  }
  return fn;
}

const runtime = createInProcessRuntime(
  {
    loadCode: (fn) =>
      new Promise<string>((resolve, reject) => {
        const id = nextCodeRequest++;
        codeRequests.set(id, { resolve, reject });
        channel.send(MSG.loadCode, id, JSON.stringify(fn));
      }),
    onCatastrophicError: (message, fn) => {
      channel.send(MSG.catastrophe, 0, message, fn?.name ?? '');
      setTimeout(die, 2000); // the supervisor kills us first; this is in case it cannot
    },
  },
  limits,
);

function sendOutcome(id: number, outcome: InvocationOutcome): void {
  if (outcome.ok) {
    const { result, ...rest } = outcome;
    channel.send(MSG.outcome, id, JSON.stringify(rest), result);
  } else channel.send(MSG.outcome, id, JSON.stringify(outcome));
}

const channel = createChannel(
  new Socket({ fd: 3, readable: true, writable: true }),
  (frame) => {
    switch (frame.type) {
      case MSG.invoke: {
        const [invocationId = '', sentAt = '0'] = frame.a.split('\n', 2);
        const fnJson = frame.a.slice(invocationId.length + sentAt.length + 2);
        // Calls queue in the pipe while a sync call runs: one that waited past the queue
        // bound is throttled unrun, as a waiter in an in-process pool would be.
        const waited = Date.now() - Number(sentAt);
        if (waited > limits.queueTimeoutMs) {
          sendOutcome(
            frame.id,
            notRun(
              'throttled',
              `The sandbox stayed busy for ${Math.round(waited)} ms`,
              1000,
              invocationId,
            ),
          );
          break;
        }
        inFlight++;
        runtime
          .invoke(functionOf(fnJson), frame.b, { invocationId })
          .finally(() => inFlight--)
          .then(
            (outcome) => sendOutcome(frame.id, outcome),
            (err: unknown) => {
              const e = err as { code?: string; message?: string };
              channel.send(
                MSG.outcome,
                frame.id,
                JSON.stringify({ thrown: { code: e.code, message: e.message } }),
              );
            },
          );
        break;
      }
      case MSG.code: {
        const request = codeRequests.get(frame.id);
        codeRequests.delete(frame.id);
        if (frame.a === '') request?.resolve(frame.b);
        else {
          // The host's error, code kept, so it comes back out of invoke as the same error.
          const { code, message } = JSON.parse(frame.a) as { code?: string; message: string };
          request?.reject(Object.assign(new Error(message), code ? { code } : {}));
        }
        break;
      }
      case MSG.retire:
        void runtime.retire(...retireArgs(frame.a));
        break;
      case MSG.stats:
        void runtime
          .stats()
          .then((stats) => channel.send(MSG.statsReply, frame.id, JSON.stringify(stats)));
        break;
      case MSG.ping:
        void runtime.stats().then(({ totals }) => {
          const vitals = {
            rss: process.memoryUsage.rss(),
            reservedMb: totals.reserved_memory_mb,
            isolates: totals.isolates,
          };
          channel.send(MSG.pong, frame.id, JSON.stringify(vitals));
        });
        break;
      case MSG.dispose:
        setTimeout(die, 4500).unref(); // before the supervisor's own 5 s
        void runtime.dispose().then(exitWhenAnswered);
        break;
    }
  },
  () => die(), // the supervisor is gone: nobody would ever read our answers
);
channel.send(MSG.ready, 0);

/** After dispose: the calls it ended still send their outcomes, then the channel is flushed. */
async function exitWhenAnswered(): Promise<void> {
  for (let i = 0; i < 400 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r)); // past the channel's flush
  channel.end(() => process.exit(0));
}

function retireArgs(json: string): [string, number?] {
  const { name, version } = JSON.parse(json) as { name: string; version?: number };
  return version === undefined ? [name] : [name, version];
}
