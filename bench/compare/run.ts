// Before → after: runs the same scenarios in two checkouts of this repository, alternately
// (before, after, before, after … per scenario), each tree with its own bench/ scripts and
// code, and reports the figures a change must keep (compare/figures.ts): each tree's
// ratios to the baselines measured in its own run, and the absolute figures beside them.
//   node --no-node-snapshot bench/compare/run.ts [--quick] [--rounds=N] [--before=DIR]
//        [--after=DIR] [scenario[:arg,arg…] …]
// Defaults: --before=/tmp/before, --after=this checkout, 2 rounds, warm cold runtime
// density. `density:--functions=300` hands a scenario arguments. Each run's output goes to
// a log file (named on failure); results go to bench/results/compare-trees[.quick].{json,md}.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isQuick, resultFile } from '../load.ts';
import { type ComparedScenario, FIGURES } from './figures.ts';
import { type RunRecord, renderComparison, type Tree } from './report.ts';
import { resultsOfRun } from './results.ts';

const quick = isQuick();
const option = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(option('rounds') ?? 2);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds: 1-20');
const trees: Tree[] = [
  { label: 'before', dir: resolve(option('before') ?? '/tmp/before') },
  {
    label: 'after',
    dir: resolve(option('after') ?? fileURLToPath(new URL('../..', import.meta.url))),
  },
];
for (const tree of trees) {
  if (!existsSync(join(tree.dir, 'bench', 'run.ts'))) throw new Error(`no bench/ in ${tree.dir}`);
}
const specs = process.argv.slice(2).filter((a) => !a.startsWith('--') || a.includes(':'));
const scenarios = (specs.length > 0 ? specs : ['warm', 'cold', 'runtime', 'density']).map((s) => {
  const [name = '', args = ''] = s.split(/:(.*)/s);
  if (!(name in FIGURES)) {
    throw new Error(`compare: no figures for "${name}"; known: ${Object.keys(FIGURES).join(' ')}`);
  }
  return { name: name as ComparedScenario, args: args === '' ? [] : args.split(',') };
});
/** A run still going after this is stopped (density's 1,000 deploys take minutes). */
const LIMIT_MS = quick ? 180_000 : 600_000;
const work = mkdtempSync(join(tmpdir(), 'ml-compare-'));
process.stdout.write(
  `compare: ${trees.map((t) => `${t.label} ${t.dir}`).join(', ')}; ${rounds} rounds; logs in ${work}\n`,
);

let stopping = false;
let current: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    current?.kill('SIGTERM'); // each scenario stops what it started
  });
}

const records: RunRecord[] = [];
for (let round = 1; round <= rounds && !stopping; round++) {
  for (const { name, args } of scenarios) {
    for (const tree of trees) {
      if (stopping) break;
      const dir = join(work, `${name}-${round}-${tree.label}`);
      mkdirSync(dir);
      const log = `${dir}.log`;
      const started = performance.now();
      const watched = resultsOfRun(tree.dir, name, quick);
      const status = await runOne(
        tree.dir,
        name,
        [...(quick ? ['--quick'] : []), ...args],
        dir,
        log,
      );
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const result = status === 'ok' ? watched.read(dir) : undefined;
      watched.restore();
      records.push({ scenario: name, round, tree: tree.label, status, seconds, result });
      process.stdout.write(
        `round ${round} ${name.padEnd(8)} ${tree.label.padEnd(6)} ${status} in ${seconds} s` +
          `${status === 'ok' && !result ? ' (no results file)' : ''}${status === 'ok' ? '' : `; log ${log}`}\n`,
      );
    }
  }
}

const { json, markdown } = renderComparison(records, trees, scenarios, { quick, rounds });
const out = resultFile('compare-trees', quick);
writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(resultFile('compare-trees', quick, 'md'), markdown);
process.stdout.write(`\n${markdown}\nwrote ${out} (and .md)\n`);
process.exit(records.every((r) => r.status === 'ok') && !stopping ? 0 : 1);

/** Runs `<tree>/bench/<scenario>/run.ts` there, its results sent to `resultsDir`. */
function runOne(
  tree: string,
  scenario: string,
  args: string[],
  resultsDir: string,
  log: string,
): Promise<string> {
  const script = join(tree, 'bench', scenario, 'run.ts');
  const child = spawn(process.execPath, ['--no-node-snapshot', '--expose-gc', script, ...args], {
    cwd: tree,
    env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  current = child;
  const file = createWriteStream(log);
  // Two sources into one file: neither may end it.
  child.stdout?.pipe(file, { end: false });
  child.stderr?.pipe(file, { end: false });
  const closed = new Promise((r) => child.once('close', r));
  return new Promise((done) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, LIMIT_MS);
    child.once('exit', async (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      // The servers it started share its stderr; do not wait on one left behind.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
      file.end();
      if (timedOut) done(`stopped after ${LIMIT_MS / 1000} s`);
      else done(code === 0 ? 'ok' : `exit ${code ?? signal}`);
    });
  });
}
