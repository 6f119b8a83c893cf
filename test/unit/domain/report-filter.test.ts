import { describe, expect, it } from 'vitest';
import { backlogAgeSeconds } from '../../../src/domain/ticket-metrics.js';
import { backlogBoundaries, backlogBucketOf, bucketIndexOf, granularityOf, parseReportFilter, reportQuery, volumeBucketStarts } from '../../../src/domain/report-filter.js';
import { appErrorOf } from '../../helpers/app-error.js';

const d = (iso: string) => new Date(iso);
// A fixed "now": Wednesday 2026-03-11 15:30 in Paris (UTC+1 until 29 March).
const now = d('2026-03-11T14:30:00Z');
const paris = { timeZone: 'Europe/Paris', now };
const HEX = 'a'.repeat(24);
const HEX2 = 'B'.repeat(24);

const issuesOf = (fn: () => unknown) => {
  const err = appErrorOf(fn);
  expect(err.code).toBe('VALIDATION_FAILED');
  expect(err.key).toBe('input.invalid');
  expect(err.params).toEqual({ what: 'Report filter' });
  return (err.details?.issues as Array<{ path: string; key: string }>).map((i) => [i.path, i.key]);
};

describe('parseReportFilter', () => {
  it('defaults to the 30 days up to the end of today in the reader’s zone, unfiltered', () => {
    expect(parseReportFilter({}, paris)).toEqual({
      // Today ends at midnight (Paris) of the 12th = 23:00 UTC on the 11th; 30 days earlier is 10 February.
      from: d('2026-02-09T23:00:00Z'),
      to: d('2026-03-11T23:00:00Z'),
      timeZone: 'Europe/Paris',
      inboxIds: [],
      teamId: null,
      level: null,
      agentId: null,
      categoryId: null,
      priority: null,
      tag: null,
    });
  });

  it('reads days as local midnights, `to` as the end of its day, and date-times as they are', () => {
    const f = parseReportFilter({ from: '2026-03-01', to: '2026-03-31' }, paris);
    // 1 March 00:00 Paris (UTC+1) … 1 April 00:00 Paris (UTC+2: summer time since 29 March).
    expect([f.from, f.to]).toEqual([d('2026-02-28T23:00:00Z'), d('2026-03-31T22:00:00Z')]);
    const g = parseReportFilter({ from: '2026-03-01T08:00:00+01:00', to: '2026-03-02T10:00:00Z' }, paris);
    expect([g.from, g.to]).toEqual([d('2026-03-01T07:00:00Z'), d('2026-03-02T10:00:00Z')]);
    // A date-time without an offset (a datetime-local field) is the reader's local time.
    expect(parseReportFilter({ from: '2026-03-10T08:30' }, paris).from).toEqual(d('2026-03-10T07:30:00Z'));
    // Only `from`: up to the end of today. Only `to`: the 30 days before.
    expect(parseReportFilter({ from: '2026-03-10' }, paris).to).toEqual(d('2026-03-11T23:00:00Z'));
    expect(parseReportFilter({ to: '2026-01-30' }, { timeZone: 'UTC', now }).from).toEqual(d('2026-01-01T00:00:00Z'));
  });

  it('reads every criterion, lower-cases ids, drops repeated inboxes, and an unknown zone is UTC', () => {
    const f = parseReportFilter({ inbox: [HEX, HEX2, HEX], team: HEX2, level: 'l2', agent: HEX, category: HEX, priority: 'URGENT', tag: ' vip ', page: '3' }, { timeZone: 'Mars/Olympus', now });
    expect(f).toMatchObject({ timeZone: 'UTC', inboxIds: [HEX, HEX2.toLowerCase()], teamId: HEX2.toLowerCase(), level: 'L2', agentId: HEX, categoryId: HEX, priority: 'urgent', tag: 'vip' });
  });

  it('refuses bad values, naming each parameter', () => {
    expect(issuesOf(() => parseReportFilter({ from: 'yesterday', to: '2026-02-30', inbox: [HEX, 'nope'], team: 'x', level: 'L9', agent: '1', category: '2', priority: 'asap', tag: 'x'.repeat(51) }, paris))).toEqual([
      ['from', 'errors:issue.report.date'],
      ['to', 'errors:issue.report.date'],
      ['inbox', 'errors:issue.notAnId'],
      ['team', 'errors:issue.notAnId'],
      ['agent', 'errors:issue.notAnId'],
      ['category', 'errors:issue.notAnId'],
      ['level', 'errors:issue.report.level'],
      ['priority', 'errors:issue.report.priority'],
      ['tag', 'errors:issue.report.tag'],
    ]);
    expect(issuesOf(() => parseReportFilter({ team: [HEX, HEX] }, paris))).toEqual([['team', 'errors:issue.report.once']]);
    expect(issuesOf(() => parseReportFilter({ from: '2026-03-10 00:00' }, paris))).toEqual([['from', 'errors:issue.report.date']]);
  });

  it('refuses from not before to, and a period over 366 days', () => {
    expect(issuesOf(() => parseReportFilter({ from: '2026-03-02', to: '2026-03-01' }, paris))).toEqual([['from', 'errors:issue.fromBeforeTo']]);
    expect(issuesOf(() => parseReportFilter({ from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, paris))).toEqual([['from', 'errors:issue.fromBeforeTo']]);
    // 2025-03-01 … end of 2026-03-01: 366 days (2025 is no leap year) is allowed; one day more is not.
    expect(() => parseReportFilter({ from: '2025-03-01', to: '2026-03-01' }, paris)).not.toThrow();
    expect(issuesOf(() => parseReportFilter({ from: '2025-03-01', to: '2026-03-02' }, paris))).toEqual([['to', 'errors:issue.report.span']]);
  });
});

describe('reportQuery', () => {
  it('gives the same parameter names back, and parses to the same filter', () => {
    const f = parseReportFilter({ from: '2026-03-01', to: '2026-03-31', inbox: [HEX, HEX2], team: HEX, level: 'L1', agent: HEX2, category: HEX, priority: 'high', tag: 'billing' }, paris);
    const q = reportQuery(f);
    expect([...q.keys()]).toEqual(['from', 'to', 'inbox', 'inbox', 'team', 'level', 'agent', 'category', 'priority', 'tag']);
    expect(q.get('from')).toBe('2026-02-28T23:00:00.000Z');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of q) query[k] = k === 'inbox' ? [...((query[k] as string[] | undefined) ?? []), v] : v;
    // Read by someone in another zone, the period is the same instants.
    expect(parseReportFilter(query, { timeZone: 'America/New_York', now })).toEqual({ ...f, timeZone: 'America/New_York' });
    expect(reportQuery(parseReportFilter({}, paris)).toString()).toBe('from=2026-02-09T23%3A00%3A00.000Z&to=2026-03-11T23%3A00%3A00.000Z');
  });
});

describe('granularityOf', () => {
  it('is days up to 62 days (a DST hour more included), weeks up to 366, else months', () => {
    const span = (from: string, to: string) => granularityOf({ from: d(from), to: d(to) });
    expect(span('2026-01-01T00:00:00Z', '2026-03-04T00:00:00Z')).toBe('day'); // 62 days
    expect(span('2026-09-30T22:00:00Z', '2026-12-01T23:00:00Z')).toBe('day'); // 62 Paris days across the autumn change: 62 d 1 h
    expect(span('2026-01-25T23:00:00Z', '2026-03-28T23:00:00Z')).toBe('day'); // 62 days exactly
    expect(span('2026-02-27T23:00:00Z', '2026-04-30T22:00:00Z')).toBe('day'); // 62 Paris days across the change: 61 d 23 h
    expect(span('2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z')).toBe('week'); // 63 days
    expect(span('2026-01-01T00:00:00Z', '2026-07-06T00:00:00Z')).toBe('week'); // 186 days
    expect(span('2026-01-01T00:00:00Z', '2026-07-07T00:00:00Z')).toBe('month'); // 187 days
    expect(span('2025-01-01T00:00:00Z', '2026-01-02T00:00:00Z')).toBe('month'); // 366 days, the longest period
  });
});

describe('volumeBucketStarts', () => {
  it('cuts days at local midnight across the spring DST change (a 23-hour day)', () => {
    const starts = volumeBucketStarts({ from: d('2026-03-27T23:00:00Z'), to: d('2026-03-30T22:00:00Z'), timeZone: 'Europe/Paris' }, 'day');
    expect(starts).toEqual([d('2026-03-27T23:00:00Z'), d('2026-03-28T23:00:00Z'), d('2026-03-29T22:00:00Z')]);
  });

  it('starts with the bucket holding `from`: its day, its ISO week (Monday), its month', () => {
    // Wednesday 11 March 2026, 10:00 Paris.
    const f = { from: d('2026-03-11T09:00:00Z'), to: d('2026-04-02T00:00:00Z'), timeZone: 'Europe/Paris' };
    expect(volumeBucketStarts(f, 'day')[0]).toEqual(d('2026-03-10T23:00:00Z'));
    expect(volumeBucketStarts(f, 'week')).toEqual([d('2026-03-08T23:00:00Z'), d('2026-03-15T23:00:00Z'), d('2026-03-22T23:00:00Z'), d('2026-03-29T22:00:00Z')]);
    expect(volumeBucketStarts(f, 'month')).toEqual([d('2026-02-28T23:00:00Z'), d('2026-03-31T22:00:00Z')]);
    expect(volumeBucketStarts(f, 'day')).toHaveLength(23);
  });

  it('places an instant in its bucket', () => {
    const starts = [d('2026-03-01T00:00:00Z'), d('2026-03-02T00:00:00Z'), d('2026-03-03T00:00:00Z')];
    expect(bucketIndexOf(starts, d('2026-02-28T23:59:59Z'))).toBe(-1);
    expect(bucketIndexOf(starts, d('2026-03-01T00:00:00Z'))).toBe(0);
    expect(bucketIndexOf(starts, d('2026-03-02T23:59:59Z'))).toBe(1);
    expect(bucketIndexOf(starts, d('2026-03-09T00:00:00Z'))).toBe(2);
  });
});

describe('backlog buckets', () => {
  it('buckets an age in whole seconds, a bound belonging to the older bucket', () => {
    const day = 86_400;
    expect([0, day - 1, day, 3 * day - 1, 3 * day, 7 * day, 30 * day - 1, 30 * day, 400 * day].map(backlogBucketOf)).toEqual(['lt1d', 'lt1d', 'd1to3', 'd1to3', 'd3to7', 'd7to30', 'd7to30', 'gt30d', 'gt30d']);
  });

  it('gives the same buckets as creation times at now', () => {
    const bounds = backlogBoundaries(now);
    const bucketAt = (createdAt: Date) => bounds.find((b) => b.createdFrom === null || createdAt.getTime() >= b.createdFrom.getTime())!.bucket;
    for (const ms of [0, 1, 999, 1000, 86_399_999, 86_400_000, 86_400_999, 86_401_000, 259_200_000, 2_591_999_999, 2_592_000_000, 9e10]) {
      const createdAt = new Date(now.getTime() - ms);
      expect(bucketAt(createdAt)).toBe(backlogBucketOf(backlogAgeSeconds(createdAt, now)));
    }
  });
});
