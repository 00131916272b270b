import { withinDeadline } from './node-crypto-args.ts';
import type { HostOpContext } from './types.ts';

// Key derivation and key generation on the thread pool go one job at a time per sandbox
// process. Node cannot stop such a job once it has started, so without this one function
// could keep every pool thread busy long after its invocations ended, and the compression,
// WebCrypto and DNS work of all the others would wait. A job is admitted only if it fits
// in the time its invocation has left counting the estimates of the jobs ahead of it; one
// still queued when its invocation ends is dropped unstarted. So at most one job runs past
// an invocation's end, for no longer than its estimate, and one scrypt's memory is held.

interface Job {
  readonly estimateMs: number;
  start(): void;
}

const queue: Job[] = [];
let running: Job | undefined;
/** Estimated milliseconds of the running job and the queued ones. */
let aheadMs = 0;

/** Runs `work` on the pool in its turn; `what` names it in a refusal. */
export function onLane<T>(
  ctx: HostOpContext,
  signal: AbortSignal,
  estimateMs: number,
  what: string,
  work: (done: (err: Error | null, value?: T) => void) => void,
): Promise<T> {
  const waiting = running !== undefined;
  withinDeadline(
    ctx,
    aheadMs + estimateMs,
    waiting ? `${what}, after the key derivations queued before it,` : what,
  );
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const at = queue.indexOf(job);
      if (at < 0) return; // running: it finishes, and its result is dropped
      queue.splice(at, 1);
      aheadMs -= estimateMs;
      reject(signal.reason);
    };
    const job: Job = {
      estimateMs,
      start() {
        signal.removeEventListener('abort', onAbort);
        work((err, value) => {
          aheadMs -= estimateMs;
          running = undefined;
          next();
          if (err) reject(err);
          else resolve(value as T);
        });
      },
    };
    signal.addEventListener('abort', onAbort, { once: true });
    aheadMs += estimateMs;
    queue.push(job);
    next();
  });
}

function next(): void {
  if (running !== undefined) return;
  running = queue.shift();
  running?.start();
}
