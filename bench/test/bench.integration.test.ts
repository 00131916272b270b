// CI's smoke run of the benchmark suite (bench/README.md): each default scenario for about a
// second of load through bench/run.ts, so the benchmarks keep working. It checks that
// a scenario ran, wrote its figures and lost no request; never what the figures are.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ml-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  headline: { what: string; value: unknown }[];
  errors: number;
}

describe('benchmark smoke run (--quick)', () => {
  for (const scenario of ['warm', 'cold', 'cpu', 'cluster', 'density', 'overhead']) {
    it(`${scenario} runs and writes its results`, { timeout: 180_000 }, () => {
      const run = spawnSync(process.execPath, ['--no-node-snapshot', RUN, '--quick', scenario], {
        env: { ...process.env, BENCH_RESULTS_DIR: dir },
        encoding: 'utf8',
        timeout: 170_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`.slice(-4000)).toBe(0);
      const result = JSON.parse(
        readFileSync(join(dir, `${scenario}.quick.json`), 'utf8'),
      ) as Result;
      expect(result.headline.length).toBeGreaterThan(0);
      for (const row of result.headline) expect(row.value, row.what).not.toBeUndefined();
      expect(result.errors).toBe(0);
      const summary = readFileSync(join(dir, 'SUMMARY.quick.md'), 'utf8');
      expect(summary).toContain(`## ${scenario}\n\nRan `);
    });
  }
});
