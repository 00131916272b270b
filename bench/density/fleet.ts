// Deploying and invoking many functions on one server, a bounded number in flight.
import { PROCESS_KEY } from '@mini-lambda/testkit/server-process';

/** Tiny function number `i`: its own constant, so its own bundle, sha256 and isolate. */
export const tinyName = (i: number) => `tiny-${String(i).padStart(4, '0')}`;
export const tinySource = (i: number) => `export function handler() {\n  return ${i};\n}\n`;

export interface FleetOutcome {
  seconds: number;
  /** Requests that got a 429 and were tried again after a pause. */
  retried: number;
  /** Requests that failed for good (deploy not 201, invoke not 200 or a wrong answer). */
  failed: number;
}

/** Runs `task(i)` for i in [0, count) with `inFlight` at once; times the whole. */
async function inParallel(
  count: number,
  inFlight: number,
  task: (i: number) => Promise<'ok' | 'retry' | 'failed'>,
  progress?: (done: number) => void,
): Promise<FleetOutcome> {
  const start = performance.now();
  let next = 0;
  let done = 0;
  let retried = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        const outcome = await task(i);
        if (outcome === 'ok') {
          if (++done % 100 === 0) progress?.(done);
          break;
        }
        if (outcome === 'failed' || attempt === 20) {
          failed++;
          break;
        }
        retried++; // 429: the build queue is full; back off and try again
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: Number(((performance.now() - start) / 1000).toFixed(1)), retried, failed };
}

/** Deploys tiny functions 0..count-1 with `query`, `inFlight` at a time. */
export function deployTiny(
  url: string,
  count: number,
  inFlight: number,
  query: string,
  progress?: (done: number) => void,
) {
  const deployOne = async (i: number) => {
    const res = await fetch(`${url}/functions/${tinyName(i)}${query}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${PROCESS_KEY}`,
        'Content-Type': 'application/javascript',
      },
      body: tinySource(i),
    });
    const text = await res.text();
    if (res.status === 201) return 'ok';
    if (res.status === 429) return 'retry';
    process.stderr.write(`deploy ${tinyName(i)}: ${res.status} ${text}\n`);
    return 'failed' as const;
  };
  return inParallel(count, inFlight, deployOne, progress);
}

/** Invokes each tiny function once (its cold start), checking it answers its constant. */
export function invokeTiny(url: string, count: number, inFlight: number) {
  return inParallel(count, inFlight, async (i) => {
    const res = await fetch(`${url}/functions/${tinyName(i)}/invoke`, { method: 'POST' });
    const text = await res.text();
    if (res.status === 200 && text === String(i)) return 'ok';
    if (res.status === 429) return 'retry';
    process.stderr.write(`invoke ${tinyName(i)}: ${res.status} ${text}\n`);
    return 'failed';
  });
}
