// The benchmark suite (bench/README.md): runs scenarios one after another, each as its own
// process, then writes the markdown summary. `./benchmark.sh` and `make bench` call it.
//   node --no-node-snapshot --expose-gc bench/run.ts [--quick] [scenario ...]
// With no scenario named, the default set (under 5 minutes here); `--quick` runs each
// for about a second of load, as CI's smoke test does. Results: bench/results/, or
// $BENCH_RESULTS_DIR.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isQuick, resultFile } from './load.ts';
import { renderSummary, type ScenarioRun } from './summary.ts';

/** Scenario → what it measures; the first six are the default set, in the order. */
const SCENARIOS = {
  warm: 'warm invoke vs bare Hono and workerd (scenarios 1–2)',
  cold: 'cold starts: first invokes, redeploys, ~50 KB bundles (scenario 3)',
  cpu: 'a ~1 ms CPU-bound function across the cores (scenario 4)',
  cluster: 'three instances behind nginx vs one (scenario 5)',
  density: '1,000 functions: RSS, per idle isolate, hot throughput (scenario 6)',
  overhead: 'platform overhead per invocation (scenario 7)',
  sandbox: 'sandbox processes vs isolates in the server',
  runtime: 'the runtime alone vs bare isolated-vm',
  fn: 'fetch-style hello on GET /fn/hello vs workerd',
  io: 'I/O-bound: a function awaiting a 50 ms upstream, 64 connections, vs workerd',
  node: 'node:crypto + Buffer warm vs plain Node and workerd nodejs_compat; jsonwebtoken cold',
} as const;
type Scenario = keyof typeof SCENARIOS;
const DEFAULT_SET: Scenario[] = ['warm', 'cold', 'cpu', 'cluster', 'density', 'overhead'];

const quick = isQuick();
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const name of named) {
  if (!(name in SCENARIOS)) {
    const list = Object.entries(SCENARIOS).map(([n, what]) => `  ${n.padEnd(9)} ${what}`);
    process.stderr.write(`bench: no scenario "${name}"; there are:\n${list.join('\n')}\n`);
    process.exit(2);
  }
}
const chosen = named.length > 0 ? (named as Scenario[]) : DEFAULT_SET;
/** A scenario still running after this is stopped: a benchmark never runs unbounded. */
const LIMIT_MS = quick ? 120_000 : 300_000;

let stopping = false;
let current: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    current?.kill('SIGTERM'); // each scenario stops what it started
  });
}

const runs: ScenarioRun[] = [];
for (const name of chosen) {
  if (stopping) break;
  process.stdout.write(`\n== ${name}: ${SCENARIOS[name]}\n`);
  const started = performance.now();
  const status = await runScenario(name);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const file = resultFile(name, quick);
  runs.push({ name, file, status, seconds });
  process.stdout.write(`== ${name}: ${status} in ${seconds} s\n`);
}

const summary = resultFile('SUMMARY', quick, 'md');
writeFileSync(summary, renderSummary(runs, quick));
process.stdout.write(`\nwrote ${summary}\n`);
process.exit(runs.every((r) => r.status === 'ok') && !stopping ? 0 : 1);

function runScenario(name: Scenario): Promise<string> {
  const script = fileURLToPath(new URL(`./${name}/run.ts`, import.meta.url));
  const args = ['--no-node-snapshot', '--expose-gc', script, ...(quick ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  current = child;
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, LIMIT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (timedOut) resolve(`stopped after ${LIMIT_MS / 1000} s`);
      else if (code === 0) resolve('ok');
      else resolve(`exit ${code ?? signal}`);
    });
  });
}
