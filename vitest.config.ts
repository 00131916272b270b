import { defineConfig } from 'vitest/config';

// isolated-vm needs --no-node-snapshot in every process that loads it, and its
// isolates must not share a worker thread with vitest: forks, one flag.
const isolatedVm = { pool: 'forks' as const, execArgv: ['--no-node-snapshot'] };

export default defineConfig({
  test: {
    reporters: ['default', './vitest.summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'infra/test/**/*.test.ts',
          ],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
          hookTimeout: 60_000, // embedded PGlite takes seconds to start on a busy machine
          ...isolatedVm,
        },
      },
      {
        // The runtime's behaviour tests again, with the pools in a supervised sandbox process.
        test: {
          name: 'sandboxed',
          include: [
            'packages/runtime/test/{handler-contract,failures,console,isolation,pools,timers}.test.ts',
            'packages/runtime/test/platform/{fetch-data,crypto,url,compression}.test.ts',
            'packages/runtime/test/node/{process,process-exit,lambda-conventions}.test.ts',
            'packages/runtime/test/node/async-hooks*.test.ts',
          ],
          env: { MINI_LAMBDA_TEST_RUNTIME: 'sandbox' },
          testTimeout: 20_000,
          hookTimeout: 60_000,
          ...isolatedVm,
        },
      },
      {
        // Real npm packages bundled and run next to the same code in Node (compat/).
        test: {
          name: 'compat',
          include: ['compat/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          ...isolatedVm,
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'packages/*/test/**/*.integration.test.ts',
            'infra/test/**/*.integration.test.ts',
            'bench/test/**/*.integration.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          ...isolatedVm,
        },
      },
    ],
  },
});
