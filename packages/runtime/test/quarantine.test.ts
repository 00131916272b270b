import { describe, expect, it } from 'vitest';
import { Quarantine } from '../src/sandbox-process/quarantine.ts';

describe('quarantine', () => {
  const options = { threshold: 3, windowMs: 60_000, cooldownMs: 30_000 };

  it('quarantines a function alone in flight at three deaths within the window', () => {
    const q = new Quarantine(options);
    q.sandboxDied(['bomb'], 0);
    q.sandboxDied(['bomb'], 1000);
    expect(q.remainingMs('bomb', 1500)).toBe(0);
    q.sandboxDied(['bomb'], 2000);
    expect(q.remainingMs('bomb', 2000)).toBe(30_000);
    expect(q.remainingMs('bomb', 31_999)).toBeGreaterThan(0);
    expect(q.remainingMs('bomb', 32_000)).toBe(0);
  });

  it('shares the blame among functions in flight together, and forgets old deaths', () => {
    const q = new Quarantine(options);
    for (let i = 0; i < 4; i++) q.sandboxDied(['bomb', 'bystander'], i);
    expect(q.remainingMs('bystander', 10)).toBe(0); // 4 × 1/2 = 2 < 3
    q.sandboxDied(['slow'], 0);
    q.sandboxDied(['slow'], 1000);
    q.sandboxDied(['slow'], 70_000); // the window restarted
    expect(q.remainingMs('slow', 70_000)).toBe(0);
  });
});
