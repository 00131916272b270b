// Where a scenario run left its results. Scenarios that use load.ts's writeResult honour
// BENCH_RESULTS_DIR; bench/runtime in older trees writes bench/results/runtime.json in its
// own tree whatever the environment says. That file is read and then put back as it was,
// so a comparison leaves both trees' committed results alone.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Watches `<tree>/bench/results/<scenario>.json` over one run. */
export function resultsOfRun(tree: string, scenario: string, quick: boolean) {
  const fixed = join(tree, 'bench', 'results', `${scenario}.json`);
  const saved = existsSync(fixed) ? readFileSync(fixed) : undefined;
  const savedMtime = saved ? statSync(fixed).mtimeMs : 0;
  return {
    /** The run's results: from `resultsDir`, else from the tree's file if the run rewrote it. */
    read(resultsDir: string): unknown {
      const sent = join(resultsDir, `${scenario}${quick ? '.quick' : ''}.json`);
      if (existsSync(sent)) return JSON.parse(readFileSync(sent, 'utf8'));
      if (existsSync(fixed) && statSync(fixed).mtimeMs !== savedMtime)
        return JSON.parse(readFileSync(fixed, 'utf8'));
      return undefined;
    },
    /** Puts the tree's file back as it was before the run. */
    restore(): void {
      if (saved) {
        if (!existsSync(fixed) || statSync(fixed).mtimeMs !== savedMtime)
          writeFileSync(fixed, saved);
      } else rmSync(fixed, { force: true });
    },
  };
}
