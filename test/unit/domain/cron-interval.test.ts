import { describe, expect, it } from 'vitest';
import { shortestCronGapSeconds } from '../../../src/domain/cron-interval.js';

const FROM = new Date(Date.UTC(2026, 0, 5, 13, 17));
const HOUR = 3600;

describe('shortestCronGapSeconds', () => {
  it.each([
    ['*/30 * * * *', 1800],
    ['* * * * *', 60],
    ['0,30 8 * * 1-5', 1800],
    ['0,30 8 1 * *', 1800],
    ['0 * * * *', HOUR],
    ['0 8,9 * * *', HOUR],
    ['0 0,23 * * *', HOUR],
    ['0 8 * * 1-5', 86_400],
  ])('%s: %i s', (cron, gap) => {
    expect(shortestCronGapSeconds(cron, FROM, HOUR)).toBe(gap);
  });

  it('finds a gap on a day far from `from`, and Infinity for a schedule that fires once', () => {
    expect(shortestCronGapSeconds('0,10 12 29 2 *', FROM, HOUR)).toBe(600);
    expect(shortestCronGapSeconds('0 0 1 1 *', FROM, HOUR)).toBeGreaterThanOrEqual(HOUR);
  });

  it('throws for an expression it cannot read', () => {
    expect(() => shortestCronGapSeconds('every hour', FROM, HOUR)).toThrow();
  });
});
