// The before → after table: each figure's value per run of each tree, the medians, and
// after / before.
import { availableParallelism, cpus } from 'node:os';
import { type ComparedScenario, FIGURES, pick } from './figures.ts';

export interface Tree {
  label: 'before' | 'after';
  dir: string;
}

export interface RunRecord {
  scenario: ComparedScenario;
  round: number;
  tree: Tree['label'];
  /** `ok`, or why the run did not finish. */
  status: string;
  seconds: number;
  result: unknown;
}

/** The median (mean of the middle two for an even count); NaN for none. */
export function median(xs: number[]): number {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Number((value ?? Number.NaN).toFixed(3));
}

const show = (x: number) => (Number.isNaN(x) ? '–' : String(x));

export function renderComparison(
  records: RunRecord[],
  trees: Tree[],
  scenarios: { name: ComparedScenario; args: string[] }[],
  run: { quick: boolean; rounds: number },
) {
  const lines = [
    `# Before → after${run.quick ? ' (quick smoke run: figures are indicative only)' : ''}`,
    '',
    `Written by \`bench/compare/run.ts\`, ${new Date().toISOString()}, ${availableParallelism()} cores, ` +
      `${cpus()[0]?.model}, Node ${process.version}; ${run.rounds} rounds, each scenario run ` +
      'before, after, before, after… ' +
      trees.map((t) => `${t.label}: \`${t.dir}\``).join(', ') +
      '. A ratio is to a baseline measured in the same run as the figure; an absolute figure ' +
      'has no such baseline, so only the alternation guards it against the machine’s load.',
    '',
  ];
  const json: Record<string, unknown> = {
    benchmark: 'compare-trees',
    date: new Date().toISOString(),
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
    setup: { ...run, trees, scenarios },
    runs: records.map(({ result: _, ...r }) => r),
  };
  const figures: Record<string, unknown>[] = [];
  for (const { name, args } of scenarios) {
    lines.push(`## ${name}${args.length > 0 ? ` (${args.join(' ')})` : ''}`, '');
    const failed = records.filter((r) => r.scenario === name && r.status !== 'ok');
    for (const f of failed) lines.push(`- round ${f.round}, ${f.tree}: **${f.status}**`);
    if (failed.length > 0) lines.push('');
    lines.push(
      '| figure | kind | better | before (runs) | before | after (runs) | after | after / before |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const figure of FIGURES[name]) {
      const values = (label: Tree['label']) =>
        records
          .filter((r) => r.scenario === name && r.tree === label && r.status === 'ok')
          .map((r) => pick(r.result, figure.path));
      const before = values('before');
      const after = values('after');
      const [mb, ma] = [median(before), median(after)];
      const change = Number((ma / mb).toFixed(3));
      figures.push({
        scenario: name,
        ...figure,
        before,
        after,
        before_median: mb,
        after_median: ma,
        after_vs_before: change,
      });
      lines.push(
        `| ${figure.what} | ${figure.kind} | ${figure.better} | ${before.map(show).join(', ')} | ${show(mb)} | ` +
          `${after.map(show).join(', ')} | ${show(ma)} | ${show(change)} |`,
      );
    }
    lines.push('');
  }
  json.figures = figures;
  return { json, markdown: `${lines.join('\n')}\n` };
}
