// The markdown summary of a benchmark run (bench/results/SUMMARY.md): one table per
// scenario from the `headline` rows its results file carries.
import { existsSync, readFileSync } from 'node:fs';
import type { Headline } from './load.ts';

export interface ScenarioRun {
  name: string;
  /** Its results file, when it wrote one. */
  file: string;
  /** `ok`, or why it did not finish. */
  status: string;
  seconds: number;
}

interface Result {
  date?: string;
  machine?: { cores?: number; cpu?: string; node?: string };
  headline?: Headline[];
  errors?: number;
  note?: string;
}

const cell = (value: unknown) => String(value ?? '').replaceAll('|', '\\|');

function verdict(row: Headline): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : '**missed**';
}

/** Markdown for the scenarios of one run, in the order they ran. */
export function renderSummary(runs: ScenarioRun[], quick: boolean): string {
  const lines = [
    `# Benchmark summary${quick ? ' (quick smoke run: figures are indicative only)' : ''}`,
    '',
    'Written by `bench/run.ts` (`./benchmark.sh`, `make bench`). Ratios are against baselines',
    'measured in the same run; every figure is from this machine, shared and noisy. Details:',
    'the JSON file of each scenario beside this one.',
    '',
  ];
  for (const run of runs) {
    const result: Result = existsSync(run.file)
      ? (JSON.parse(readFileSync(run.file, 'utf8')) as Result)
      : {};
    lines.push(`## ${run.name}`, '');
    const machine = result.machine
      ? `${result.machine.cores} cores, ${result.machine.cpu}, Node ${result.machine.node}`
      : '';
    lines.push(
      `${run.status === 'ok' ? 'Ran' : `**Did not finish: ${run.status}.**`} ${run.seconds} s` +
        `${result.date ? `, ${result.date}` : ''}${machine ? `, ${machine}` : ''}` +
        `${result.errors !== undefined ? `; failed requests: ${result.errors}` : ''}.`,
      '',
    );
    if (result.note) lines.push(result.note, '');
    if (!result.headline?.length) {
      lines.push(`No headline figures; see \`${run.name}.json\`.`, '');
      continue;
    }
    lines.push('| what | value | target | |', '|---|---|---|---|');
    for (const row of result.headline) {
      const value = `${cell(row.value)}${row.unit ? ` ${row.unit}` : ''}`;
      lines.push(`| ${cell(row.what)} | ${value} | ${cell(row.target)} | ${verdict(row)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
