import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isDueForRetention, MAX_RETENTION_MONTHS, retentionCutoff, retentionPolicyOf, scrubTrailData } from '../../../src/domain/retention.js';

describe('retentionCutoff', () => {
  it('goes back whole calendar months in UTC, keeping the time of day', () => {
    expect(retentionCutoff(new Date('2026-12-07T02:30:00.000Z'), 6)).toEqual(new Date('2026-06-07T02:30:00.000Z'));
    expect(retentionCutoff(new Date('2026-03-15T10:00:00.000Z'), 12)).toEqual(new Date('2025-03-15T10:00:00.000Z'));
    expect(retentionCutoff(new Date('2026-01-10T00:00:00.000Z'), 1)).toEqual(new Date('2025-12-10T00:00:00.000Z'));
  });

  it('lands on the last day of a shorter month', () => {
    expect(retentionCutoff(new Date('2026-03-31T12:00:00.000Z'), 1)).toEqual(new Date('2026-02-28T12:00:00.000Z'));
    expect(retentionCutoff(new Date('2028-03-31T12:00:00.000Z'), 1)).toEqual(new Date('2028-02-29T12:00:00.000Z'));
    expect(retentionCutoff(new Date('2026-05-31T00:00:00.000Z'), 3)).toEqual(new Date('2026-02-28T00:00:00.000Z'));
  });

  it('spans the longest period allowed', () => {
    expect(retentionCutoff(new Date('2026-12-07T00:00:00.000Z'), MAX_RETENTION_MONTHS)).toEqual(new Date('2016-12-07T00:00:00.000Z'));
  });
});

describe('isDueForRetention', () => {
  const now = new Date('2026-12-07T02:30:00.000Z');
  const policy = { months: 6, action: 'anonymise' as const };

  it('takes closed tickets whose closing time is before the cut-off', () => {
    expect(isDueForRetention({ status: 'closed', closedAt: new Date('2026-06-07T02:29:59.999Z') }, policy, now)).toBe(true);
    expect(isDueForRetention({ status: 'closed', closedAt: new Date('2026-06-07T02:30:00.000Z') }, policy, now)).toBe(false);
  });

  it('leaves solved, open and spam tickets, tickets closed at an unknown time, and everything when off', () => {
    const old = new Date('2020-01-01T00:00:00.000Z');
    expect(isDueForRetention({ status: 'solved', closedAt: old }, policy, now)).toBe(false);
    expect(isDueForRetention({ status: 'open', closedAt: old }, policy, now)).toBe(false);
    expect(isDueForRetention({ status: 'spam', closedAt: old }, policy, now)).toBe(false);
    expect(isDueForRetention({ status: 'closed', closedAt: null }, policy, now)).toBe(false);
    expect(isDueForRetention({ status: 'closed', closedAt: old }, { months: null, action: 'delete' }, now)).toBe(false);
  });
});

describe('retentionPolicyOf', () => {
  it('is off for inboxes stored before retention, and for anything out of range', () => {
    expect(retentionPolicyOf({})).toEqual({ months: null, action: 'anonymise' });
    expect(retentionPolicyOf({ retention: null })).toEqual({ months: null, action: 'anonymise' });
    expect(retentionPolicyOf({ retention: { months: 0, action: 'delete' } })).toEqual({ months: null, action: 'delete' });
    expect(retentionPolicyOf({ retention: { months: 2.5, action: 'delete' } })).toEqual({ months: null, action: 'delete' });
    expect(retentionPolicyOf({ retention: { months: MAX_RETENTION_MONTHS + 1, action: 'anonymise' } }).months).toBeNull();
    expect(retentionPolicyOf({ retention: { months: 24, action: 'shred' } })).toEqual({ months: 24, action: 'anonymise' });
    expect(retentionPolicyOf({ retention: { months: 24, action: 'delete' } })).toEqual({ months: 24, action: 'delete' });
  });
});

describe('scrubTrailData', () => {
  it("keeps numbers, flags, dates, ids and the ticket's own state words; drops people's texts, lists and objects", () => {
    const id = new Types.ObjectId();
    const at = new Date('2026-01-01T00:00:00.000Z');
    const scrubbed = scrubTrailData({
      from: 'solved', to: 'closed', priority: 'urgent', rating: 'bad', days: 4, changed: true, at, assignee: id, none: null,
      name: 'Zoltan Quibble', comment: 'my zorblax broke', excerpt: 'Hello', address: 'zq@example.test', to2: ['zq@example.test'], nested: { name: 'Zoltan' },
    });
    expect(scrubbed).toEqual({ from: 'solved', to: 'closed', priority: 'urgent', rating: 'bad', days: 4, changed: true, at, assignee: id, none: null });
    expect(scrubTrailData(null)).toEqual({});
  });
});
