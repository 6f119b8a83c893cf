import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY_MATRIX, IMPACT_LEVELS, priorityFor, URGENCY_LEVELS } from '../../../src/domain/priority-matrix.js';

describe('the default impact × urgency matrix', () => {
  // impact, urgency → priority: the table of priority-matrix.ts and the README, cell by cell.
  const cells = [
    ['high', 'high', 'urgent'],
    ['high', 'medium', 'high'],
    ['high', 'low', 'normal'],
    ['medium', 'high', 'high'],
    ['medium', 'medium', 'normal'],
    ['medium', 'low', 'low'],
    ['low', 'high', 'normal'],
    ['low', 'medium', 'low'],
    ['low', 'low', 'low'],
  ] as const;

  it.each(cells)('impact %s × urgency %s → %s', (impact, urgency, priority) => {
    expect(priorityFor(impact, urgency)).toBe(priority);
  });

  it('has exactly those nine cells', () => {
    expect(cells).toHaveLength(IMPACT_LEVELS.length * URGENCY_LEVELS.length);
    expect(Object.keys(DEFAULT_PRIORITY_MATRIX).sort()).toEqual([...IMPACT_LEVELS].sort());
    for (const impact of IMPACT_LEVELS) expect(Object.keys(DEFAULT_PRIORITY_MATRIX[impact]).sort()).toEqual([...URGENCY_LEVELS].sort());
  });

  it('takes another matrix when given one', () => {
    const flat = Object.fromEntries(IMPACT_LEVELS.map((i) => [i, Object.fromEntries(URGENCY_LEVELS.map((u) => [u, 'normal']))])) as unknown as typeof DEFAULT_PRIORITY_MATRIX;
    expect(priorityFor('high', 'high', flat)).toBe('normal');
  });
});
