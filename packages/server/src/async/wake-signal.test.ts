import { describe, expect, it } from 'vitest';
import { createWakeSignal } from './wake-signal.ts';

describe('createWakeSignal', () => {
  it('keeps a ring that came while nobody waited, once', async () => {
    const signal = createWakeSignal();
    signal.ring();
    signal.ring();
    const started = performance.now();
    await signal.wait(5000);
    expect(performance.now() - started).toBeLessThan(1000);
    const second = performance.now();
    await signal.wait(50); // the two rings were one: this one times out
    expect(performance.now() - second).toBeGreaterThanOrEqual(45);
  });

  it('ends a wait at once on a ring', async () => {
    const signal = createWakeSignal();
    const started = performance.now();
    setTimeout(() => signal.ring(), 20);
    await signal.wait(5000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
