import { describe, expect, it } from 'vitest';
import { decidePriority } from '../../../src/domain/ticket.js';

describe('decidePriority: priority follows impact × urgency unless set by hand', () => {
  it('follows the matrix once both impact and urgency are assessed', () => {
    expect(decidePriority({ priority: 'normal' }, { impact: 'high' })).toEqual({ changes: { impact: 'high' }, prioritySource: null });
    expect(decidePriority({ priority: 'normal', impact: 'high' }, { urgency: 'high' })).toEqual({ changes: { urgency: 'high', priority: 'urgent' }, prioritySource: 'matrix' });
    expect(decidePriority({ priority: 'normal' }, { impact: 'low', urgency: 'medium' })).toEqual({ changes: { impact: 'low', urgency: 'medium', priority: 'low' }, prioritySource: 'matrix' });
  });

  it('changes nothing when the matrix gives the current priority or nothing is asked', () => {
    expect(decidePriority({ priority: 'normal' }, { impact: 'medium', urgency: 'medium' })).toEqual({ changes: { impact: 'medium', urgency: 'medium' }, prioritySource: null });
    expect(decidePriority({ priority: 'high', impact: 'high', urgency: 'medium' }, {})).toEqual({ changes: {}, prioritySource: null });
  });

  it('a priority set by hand overrides the matrix; one equal to the current priority is no change', () => {
    expect(decidePriority({ priority: 'normal', impact: 'low', urgency: 'low' }, { priority: 'urgent' })).toEqual({ changes: { priority: 'urgent', priorityOverridden: true }, prioritySource: 'manual' });
    expect(decidePriority({ priority: 'low', impact: 'low', urgency: 'low' }, { priority: 'low', impact: 'high', urgency: 'high' })).toEqual({
      changes: { impact: 'high', urgency: 'high', priority: 'urgent' },
      prioritySource: 'matrix',
    });
    expect(decidePriority({ priority: 'high', priorityOverridden: true }, { priority: 'low' })).toEqual({ changes: { priority: 'low' }, prioritySource: 'manual' });
  });

  it('keeps a hand-set priority when impact or urgency change again', () => {
    expect(decidePriority({ priority: 'urgent', impact: 'low', urgency: 'low', priorityOverridden: true }, { impact: 'medium' })).toEqual({ changes: { impact: 'medium' }, prioritySource: null });
  });

  it('following the matrix again clears the override and applies the matrix', () => {
    expect(decidePriority({ priority: 'urgent', impact: 'low', urgency: 'low', priorityOverridden: true }, { followMatrix: true, priority: 'high' })).toEqual({
      changes: { priorityOverridden: false, priority: 'low' },
      prioritySource: 'matrix',
    });
    expect(decidePriority({ priority: 'urgent', priorityOverridden: true }, { followMatrix: true })).toEqual({ changes: { priorityOverridden: false }, prioritySource: null });
  });

  it('reads tickets stored before the assessment existed as not assessed and not overridden', () => {
    expect(decidePriority({ priority: 'normal', impact: undefined, urgency: undefined }, { impact: null, urgency: null })).toEqual({ changes: {}, prioritySource: null });
  });
});
