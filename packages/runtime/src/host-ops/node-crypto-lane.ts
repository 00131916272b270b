import { withinDeadline } from './node-crypto-args.ts';
import type { HostOpContext } from './types.ts';

// Key derivation and key generation on the thread pool go one job at a time per sandbox
// process. Node cannot stop such a job once it has started, so without this one function
// could keep every pool thread busy long after its invocations ended, and the compression,
// WebCrypto and DNS work of all the others would wait. Isolates take turns (round robin),
// so one function's long queue delays another's job by one of its jobs per turn, not by
// all of them. A job is admitted only if it fits in the time its invocation has left,
// counting what would run before it; one still queued when its invocation ends is dropped
// unstarted. So at most one job runs past an invocation's end, for no longer than its
// estimate, and one scrypt's memory is held.

interface Job {
  readonly estimateMs: number;
  start(): void;
}

/** Queued jobs by isolate, in turn order (a Map keeps insertion order). */
const queues = new Map<object, Job[]>();
let running: { estimateMs: number; startedAt: number } | undefined;
/** The running job's isolate and its other jobs: back in turn only when it finishes. */
let parked: { owner: object; queue: Job[] } | undefined;

/** Runs `work` on the pool in its turn; `what` names it in a refusal. */
export function onLane<T>(
  ctx: HostOpContext,
  signal: AbortSignal,
  estimateMs: number,
  what: string,
  work: (done: (err: Error | null, value?: T) => void) => void,
): Promise<T> {
  const owner = ctx.isolate;
  const before = waitFor(owner);
  withinDeadline(
    ctx,
    before + estimateMs,
    before > 0 ? `${what}, after the key derivations queued before it,` : what,
  );
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: T) => {
      if (settled) return;
      settled = true;
      running = undefined;
      if (parked && parked.queue.length > 0) queues.set(parked.owner, parked.queue);
      parked = undefined;
      if (err) reject(err);
      else resolve(value as T);
      next();
    };
    const onAbort = () => {
      const queue = parked?.owner === owner ? parked.queue : queues.get(owner);
      const at = queue?.indexOf(job) ?? -1;
      if (!queue || at < 0) return; // running: it finishes, and its result is dropped
      queue.splice(at, 1);
      if (queue.length === 0 && queues.get(owner) === queue) queues.delete(owner);
      settled = true;
      reject(signal.reason);
    };
    const job: Job = {
      estimateMs,
      start() {
        signal.removeEventListener('abort', onAbort);
        running = { estimateMs, startedAt: performance.now() };
        try {
          work(finish);
        } catch (e) {
          // Node refuses some parameters synchronously: the lane must not stay taken.
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      },
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const queue = parked?.owner === owner ? parked.queue : queues.get(owner);
    if (queue) queue.push(job);
    else queues.set(owner, [job]);
    next();
  });
}

/** Estimated milliseconds before a new job of `owner` would start (an upper bound). */
function waitFor(owner: object): number {
  let ms = running ? Math.max(0, running.estimateMs - (performance.now() - running.startedAt)) : 0;
  const own = parked?.owner === owner ? parked.queue : (queues.get(owner) ?? []);
  const turns = own.length + 1;
  // Its own queue runs whole before it; every other isolate gets as many turns.
  for (const job of own) ms += job.estimateMs;
  const ahead = (queue: Job[], n: number) => {
    for (const job of queue.slice(0, n)) ms += job.estimateMs;
  };
  for (const [isolate, queue] of queues) if (isolate !== owner) ahead(queue, turns);
  // The running job's isolate goes back in turn behind everyone queued now.
  if (parked && parked.owner !== owner) ahead(parked.queue, turns - 1);
  return ms;
}

/** Starts the first job of the isolate whose turn it is; its others wait for their next turn. */
function next(): void {
  if (running !== undefined) return;
  const first = queues.entries().next();
  if (first.done) return;
  const [owner, queue] = first.value;
  queues.delete(owner);
  const job = queue.shift();
  parked = { owner, queue };
  job?.start();
}
