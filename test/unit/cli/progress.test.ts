import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src/cli/progress.js';

describe('progressLine', () => {
  it('draws the bar, counts, rate and time left', () => {
    expect(progressLine({ done: 1200, total: 50000, ratePerSecond: 180, state: 'syncing', width: 10 })).toBe('[··········]  1,200/50,000  2.4%  180 msg/s  ETA 4m31s  syncing');
    expect(progressLine({ done: 25, total: 100, ratePerSecond: 5, state: 'syncing', width: 4 })).toBe('[#···]  25/100  25.0%  5 msg/s  ETA 15s  syncing');
  });
  it('ends full without an ETA, and copes with no rate yet or an empty backlog', () => {
    expect(progressLine({ done: 100, total: 100, ratePerSecond: 50, state: 'idle', width: 4 })).toBe('[####]  100/100  100.0%  50 msg/s  idle');
    expect(progressLine({ done: 0, total: 10, ratePerSecond: null, state: 'connecting', width: 2 })).toBe('[··]  0/10  0.0%  connecting');
    expect(progressLine({ done: 0, total: 0, ratePerSecond: 0, state: 'idle', width: 2 })).toBe('[##]  0/0  100.0%  idle');
  });
});
