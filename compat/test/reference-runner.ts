// Runs cases in Node itself, the reference: reads [{name, file, event}] as JSON on stdin and
// writes {name: {ok, result} | {ok: false, error}} on stdout. Started as its own process
// (`node reference-runner.ts`) so the cases run in plain Node, not under the test runner's
// module transforms. A handler gets a Lambda-like context and may use the callback form.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Job {
  name: string;
  file: string;
  event: unknown;
}

type Handler = (
  event: unknown,
  context: object,
  callback: (err: unknown, result?: unknown) => void,
) => unknown;

function contextFor(name: string) {
  const deadline = Date.now() + 30_000;
  return {
    functionName: name,
    functionVersion: '1',
    invocationId: 'reference',
    awsRequestId: 'reference',
    memoryLimitInMB: 256,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** As Lambda: the result is the first of the callback and a returned promise. */
function invoke(handler: Handler, name: string, event: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const returned = handler(event, contextFor(name), (err, result) =>
      err ? reject(err) : resolve(result),
    );
    if (returned && typeof (returned as Promise<unknown>).then === 'function')
      (returned as Promise<unknown>).then(resolve, reject);
  });
}

/** An error with its causes (fetch failures say why only in `cause`). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause === undefined ? '' : ` (cause: ${describe(err.cause)})`;
  return `${err.name}: ${err.message}${cause}`;
}

async function run(job: Job, casesDir: string) {
  try {
    const mod = (await import(pathToFileURL(join(casesDir, job.file)).href)) as {
      handler?: Handler;
      default?: { handler?: Handler };
    };
    const handler = mod.handler ?? mod.default?.handler;
    if (typeof handler !== 'function') throw new Error(`${job.file} exports no handler`);
    // Through JSON, as an invoke's result travels.
    return {
      ok: true,
      result: JSON.parse(JSON.stringify((await invoke(handler, job.name, job.event)) ?? null)),
    };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job[];
const casesDir = new URL('../cases/', import.meta.url).pathname;
const out: Record<string, unknown> = {};
for (const job of jobs) out[job.name] = await run(job, casesDir);
process.stdout.write(JSON.stringify(out));
// Handlers may leave keep-alive sockets or timers behind; the answer is written.
process.exit(0);
