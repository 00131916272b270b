// What checking a sandbox's outcome costs per call: the hand check the host uses
// (checkOutcome) against the equivalent zod schema, and JSON.parse alone for scale.
// Run: node --no-node-snapshot packages/runtime/test/outcome-check-bench.ts
import { FAILURE_ERROR_CODE, type FailureReason } from '@mini-lambda/core';
import { z } from 'zod';
import { checkOutcome } from '../src/ipc/sandbox-checks.ts';

const success = JSON.stringify({
  ok: true,
  logs: { text: '', dropped: 0 },
  invocationId: '8c7a3c1e-5a8b-4f0e-9d4b-2c1f6e7a9b10',
  coldStart: false,
  durationMs: 0.041,
});
const failure = JSON.stringify({
  ok: false,
  reason: 'error',
  message: 'boom',
  error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (fn.js:1:30)' },
  logs: { text: 'INFO started', dropped: 0 },
  invocationId: '8c7a3c1e-5a8b-4f0e-9d4b-2c1f6e7a9b10',
  coldStart: false,
  durationMs: 0.2,
});

const base = {
  invocationId: z.string(),
  coldStart: z.boolean(),
  durationMs: z.number().nonnegative(),
  initDurationMs: z.number().nonnegative().optional(),
  logs: z.object({ text: z.string(), dropped: z.number().int().nonnegative() }),
};
const reasons = Object.keys(FAILURE_ERROR_CODE) as [FailureReason, ...FailureReason[]];
const outcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), ...base }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(reasons),
    message: z.string(),
    error: z.object({ name: z.string(), message: z.string(), stack: z.string() }).optional(),
    retryAfterMs: z.number().nonnegative().optional(),
    ...base,
  }),
]);

const parsedSuccess = JSON.parse(success);
const parsedFailure = JSON.parse(failure);
const N = 1_000_000;
let sink = 0;
/** The best of 5 rounds of N calls (the machine is shared: the best is the least disturbed). */
function time(name: string, fn: () => unknown): void {
  for (let i = 0; i < N / 10; i++) fn(); // warm up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < N; i++) if (fn()) sink++;
    best = Math.min(best, ((performance.now() - start) * 1000) / N);
  }
  console.log(`${name.padEnd(24)} ${best.toFixed(3)} µs`);
}

time('JSON.parse (success)', () => JSON.parse(success));
time('hand check (success)', () => checkOutcome(parsedSuccess, '"ok"'));
time('zod (success)', () => outcomeSchema.parse(parsedSuccess));
time('JSON.parse (failure)', () => JSON.parse(failure));
time('hand check (failure)', () => checkOutcome(parsedFailure, ''));
time('zod (failure)', () => outcomeSchema.parse(parsedFailure));
if (sink === 0) console.log('(nothing ran)');
