// The CPU-bound work of bench/cpu, one copy for both sides: the bare Hono baseline calls
// `spin` in the host, and mini-lambda runs the same function text as an event handler.

/** `n` rounds of an integer hash; returns the hash so the loop cannot be optimised away. */
export function spin(n: number): number {
  let h = 0x9e3779b9 | 0;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = (h ^ (h >>> 12) ^ i) | 0;
  }
  return h >>> 0;
}

// Node strips the type annotations to blanks, so `spin.toString()` is plain JavaScript.
export const SPIN_HANDLER = `${spin.toString()}
export function handler(event) {
  return { hash: spin(event.n) };
}
`;

/**
 * Rounds of `spin` that take about `targetMs` here, from the fastest of a few timed runs
 * (the fastest is the one least disturbed by other load on a shared machine).
 */
export function calibrate(targetMs = 1): number {
  const probe = 1_000_000;
  for (let i = 0; i < 20; i++) spin(probe / 10); // let the JIT optimise it first
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    spin(probe);
    best = Math.min(best, performance.now() - start);
  }
  return Math.round((probe * targetMs) / best);
}
