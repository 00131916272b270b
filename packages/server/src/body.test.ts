import { describe, expect, it } from 'vitest';
import { createBodyBudget } from './body.ts';

describe('body budget', () => {
  it('refuses past its bytes and gives them back once, on release', () => {
    const budget = createBodyBudget(100);
    const first = budget.hold(60);
    expect(() => budget.hold(50)).toThrow(expect.objectContaining({ code: 'ServiceUnavailable' }));
    first();
    first(); // twice is once
    expect(budget.held).toBe(0);
    const second = budget.hold(100);
    expect(budget.held).toBe(100);
    second();
  });
});
