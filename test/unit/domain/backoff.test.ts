import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/domain/backoff.js';

const opts = { baseMs: 1000, maxMs: 4000 };

describe('backoffDelayMs', () => {
  it('doubles from the base per attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, opts, () => 0.5))).toEqual([1000, 2000, 4000, 4000, 4000]);
  });

  it('jitters by at most 20% either way and never beyond the cap', () => {
    expect(backoffDelayMs(1, opts, () => 0)).toBe(800);
    expect(backoffDelayMs(1, opts, () => 0.999_999)).toBe(1200);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(3200);
    expect(backoffDelayMs(3, opts, () => 0.999_999)).toBe(4000);
  });

  it('stays at the cap however many attempts failed', () => {
    expect(backoffDelayMs(5000, { baseMs: 1000, maxMs: 300_000 }, () => 0.5)).toBe(300_000);
  });
});
