import { describe, expect, it } from 'vitest';
import { granularityOf, volumeBucketStarts } from '../../../src/domain/report-filter.js';
import { ROW_EVENT, type ReportRow, type ReportRowEvent, type ReportRowScope } from '../../../src/domain/report-row.js';
import { createReportTally, durationStats, tallyReport, type AgentTally } from '../../../src/domain/report-tally.js';
import { hexId, reportRowFixture } from '../../helpers/report-row-fixture.js';

const d = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
const A = 'a'.repeat(24);
const B = 'b'.repeat(24);
const C = 'c'.repeat(24);
const INBOX = '1'.repeat(24);
const INBOX2 = '2'.repeat(24);
const DAY = 86_400_000;

// Three UTC days, 1 to 3 March 2026; the report is read on the 10th at noon.
const from = d('2026-03-01T00:00:00Z');
const to = d('2026-03-04T00:00:00Z');
const now = d('2026-03-10T12:00:00Z');
const filter = { from, to, timeZone: 'UTC' };
const starts = volumeBucketStarts(filter, granularityOf(filter));
const period = { from, to, starts, now };

const scope: ReportRowScope = { inboxIds: [INBOX], teamIds: null, assigneeId: null, categoryId: null, priority: null, tag: null };
const everything: ReportRowScope = { ...scope, inboxIds: null };

const row = (number: number, over: Partial<ReportRow> = {}): ReportRow => reportRowFixture(number, INBOX, { createdAt: ms('2026-02-01T00:00:00Z'), ...over });
const ev = (iso: string, kinds: number, actorId: string | null = null): ReportRowEvent => ({ at: ms(iso), kinds, actorId });
const res = (iso: string, seconds: number, businessSeconds: number, over: Partial<NonNullable<ReportRow['resolution']>> = {}): NonNullable<ReportRow['resolution']> => ({
  at: ms(iso),
  seconds,
  businessSeconds,
  nextResponseSla: null,
  resolutionSla: null,
  reopened: false,
  ...over,
});

/** A row with a fact of every kind inside the period, by agent C. */
const busy = (number: number, over: Partial<ReportRow>): ReportRow =>
  row(number, {
    assigneeId: C,
    active: true,
    createdAt: ms('2026-03-01T12:00:00Z'),
    firstResponse: { at: ms('2026-03-01T13:00:00Z'), seconds: 5, businessSeconds: 5, sla: 'breached' },
    resolution: res('2026-03-02T13:00:00Z', 50, 50, { nextResponseSla: 'met', resolutionSla: 'met', reopened: true }),
    rating: { rating: 'good', at: ms('2026-03-02T14:00:00Z'), commented: true },
    events: [ev('2026-03-01T13:00:00Z', ROW_EVENT.reply, C), ev('2026-03-01T14:00:00Z', ROW_EVENT.breach), ev('2026-03-02T13:00:00Z', ROW_EVENT.solve, C), ev('2026-03-02T15:00:00Z', ROW_EVENT.reopen, C)],
    ...over,
  });

const rows: ReportRow[] = [
  // Created in the period (1 March), answered and solved by A, rated good with a comment.
  row(1, {
    assigneeId: A,
    createdAt: ms('2026-03-01T10:00:00Z'),
    firstResponse: { at: ms('2026-03-01T11:00:00Z'), seconds: 3600, businessSeconds: 1800, sla: 'met' },
    resolution: res('2026-03-02T10:00:00Z', 86_400, 28_800, { nextResponseSla: 'met', resolutionSla: 'met' }),
    rating: { rating: 'good', at: ms('2026-03-02T12:00:00Z'), commented: true },
    events: [ev('2026-03-01T11:00:00Z', ROW_EVENT.reply, A), ev('2026-03-02T10:00:00Z', ROW_EVENT.solve, A)],
  }),
  // Created 2 March, B's and still open (8 days old at now); A replied on it too; one breach.
  row(2, {
    assigneeId: B,
    active: true,
    createdAt: ms('2026-03-02T09:00:00Z'),
    firstResponse: { at: ms('2026-03-02T10:00:00Z'), seconds: 7200, businessSeconds: 7200, sla: 'breached' },
    events: [ev('2026-03-02T09:30:00Z', ROW_EVENT.breach), ev('2026-03-02T10:00:00Z', ROW_EVENT.reply, B), ev('2026-03-03T08:00:00Z', ROW_EVENT.reply, A)],
  }),
  // Older, A's: answered before the period; solved by B, reopened by the customer, solved again by a rule, durations unknown.
  row(3, {
    assigneeId: A,
    createdAt: ms('2026-02-20T09:00:00Z'),
    firstResponse: { at: ms('2026-02-20T10:00:00Z'), seconds: 3600, businessSeconds: 3600, sla: 'met' },
    resolution: res('2026-03-03T15:00:00Z', NaN, NaN, { resolutionSla: 'breached', reopened: true }),
    rating: { rating: 'bad', at: ms('2026-03-03T16:00:00Z'), commented: true },
    events: [ev('2026-03-01T09:00:00Z', ROW_EVENT.solve, B), ev('2026-03-01T20:00:00Z', ROW_EVENT.reopen), ev('2026-03-03T15:00:00Z', ROW_EVENT.solve)],
  }),
  // Created in the last instant of the period, unassigned, active (6½ days old); its breach is at `to`, outside.
  row(4, { active: true, createdAt: ms('2026-03-03T23:59:59.999Z'), events: [ev('2026-03-04T00:00:00Z', ROW_EVENT.breach)] }),
  // Created the instant before the period; first answered at `from` (in), solved at `to` (out), rated okay without comment.
  row(5, {
    createdAt: ms('2026-02-28T23:59:59.999Z'),
    firstResponse: { at: ms('2026-03-01T00:00:00Z'), seconds: 1, businessSeconds: 0, sla: null },
    resolution: res('2026-03-04T00:00:00Z', 259_200, 86_400, { resolutionSla: 'breached', nextResponseSla: 'breached', reopened: true }),
    rating: { rating: 'okay', at: ms('2026-03-01T00:00:00Z'), commented: false },
    events: [ev('2026-02-28T23:59:59.999Z', ROW_EVENT.reopen, A), ev('2026-03-04T00:00:00Z', ROW_EVENT.solve, A)],
  }),
  // Merged away or spam: counted nowhere.
  busy(6, { excluded: true, inboxId: INBOX }),
  // Another inbox: outside the scope.
  busy(7, { inboxId: INBOX2 }),
  // Older, B's: solved by B on 2 March, rated okay with a comment at the same moment as ticket 1.
  row(8, {
    assigneeId: B,
    createdAt: ms('2026-02-10T09:00:00Z'),
    firstResponse: { at: ms('2026-02-10T10:00:00Z'), seconds: 3600, businessSeconds: 3600, sla: 'met' },
    resolution: res('2026-03-02T11:00:00Z', 172_800, 43_200, { nextResponseSla: 'breached', resolutionSla: 'met' }),
    rating: { rating: 'okay', at: ms('2026-03-02T12:00:00Z'), commented: true },
    events: [ev('2026-03-02T11:00:00Z', ROW_EVENT.solve, B)],
  }),
  // Created after the period (not new), B's, 12 hours old at now; rated at `to` (out).
  row(9, { assigneeId: B, active: true, createdAt: ms('2026-03-10T00:00:00Z'), rating: { rating: 'good', at: ms('2026-03-04T00:00:00Z'), commented: true } }),
];

const agent = (over: Partial<AgentTally>): AgentTally => ({
  solved: 0,
  replies: 0,
  firstResponse: { seconds: [], businessSeconds: [] },
  resolution: { seconds: [], businessSeconds: [] },
  ratings: { good: 0, okay: 0, bad: 0 },
  backlog: 0,
  ...over,
});

describe('tallyReport', () => {
  it('cuts the period in days', () => {
    expect(starts).toEqual([d('2026-03-01T00:00:00Z'), d('2026-03-02T00:00:00Z'), d('2026-03-03T00:00:00Z')]);
  });

  const t = tallyReport(rows, scope, period);

  it('counts tickets created in [from, to) as new, and solves and reopens by the day they happened', () => {
    expect(t.volume).toEqual([
      { start: d('2026-03-01T00:00:00Z'), new: 1, solved: 1, reopened: 1 },
      { start: d('2026-03-02T00:00:00Z'), new: 1, solved: 2, reopened: 0 },
      { start: d('2026-03-03T00:00:00Z'), new: 1, solved: 1, reopened: 0 },
    ]);
    // Resolutions in the period: tickets 1, 3 and 8, of which 3 was ever reopened.
    expect(t.totals).toEqual({ new: 3, solved: 4, reopened: 1, reopenRate: 1 / 3 });
  });

  it('takes first responses and resolutions made in the period, leaving unknown durations out of the figures', () => {
    // First responses of tickets 1, 2, 5: 3600, 7200, 1 (business 1800, 7200, 0).
    expect(t.firstResponse).toEqual({ count: 3, median: 3600, p90: 7200, businessMedian: 1800, businessP90: 7200 });
    // Resolutions of tickets 1 and 8 (ticket 3's are unknown): 86400, 172800 (business 28800, 43200).
    expect(t.resolution).toEqual({ count: 2, median: 86_400, p90: 172_800, businessMedian: 28_800, businessP90: 43_200 });
  });

  it('judges SLA targets on the clocks stopped in the period, and counts breaches in it', () => {
    expect(t.sla).toEqual([
      { target: 'firstResponse', met: 1, breached: 1, attainment: 0.5 },
      { target: 'nextResponse', met: 1, breached: 1, attainment: 0.5 },
      { target: 'resolution', met: 2, breached: 1, attainment: 2 / 3 },
    ]);
    expect(t.breaches).toBe(1);
  });

  it('puts the active tickets in the backlog by their age at now', () => {
    expect(t.backlog).toEqual([
      { bucket: 'lt1d', count: 1 },
      { bucket: 'd1to3', count: 0 },
      { bucket: 'd3to7', count: 1 },
      { bucket: 'd7to30', count: 1 },
      { bucket: 'gt30d', count: 0 },
    ]);
    expect(t.backlogTotal).toBe(3);
  });

  it('counts ratings given in the period, and lists the commented ones newest first (ties: higher number first)', () => {
    expect(t.satisfaction).toEqual({ good: 1, okay: 2, bad: 1 });
    expect(t.commented).toEqual([
      { ticketId: hexId(3), number: 3, rating: 'bad', at: ms('2026-03-03T16:00:00Z') },
      { ticketId: hexId(8), number: 8, rating: 'okay', at: ms('2026-03-02T12:00:00Z') },
      { ticketId: hexId(1), number: 1, rating: 'good', at: ms('2026-03-02T12:00:00Z') },
    ]);
  });

  it('credits solves and replies to who made them, durations, backlog and ratings to the current assignee', () => {
    expect(new Map([...t.agents].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
      new Map([
        ['', agent({ solved: 1, firstResponse: { seconds: [1], businessSeconds: [0] }, ratings: { good: 0, okay: 1, bad: 0 }, backlog: 1 })],
        [A, agent({ solved: 1, replies: 2, firstResponse: { seconds: [3600], businessSeconds: [1800] }, resolution: { seconds: [86_400], businessSeconds: [28_800] }, ratings: { good: 1, okay: 0, bad: 1 } })],
        [B, agent({ solved: 2, replies: 1, firstResponse: { seconds: [7200], businessSeconds: [7200] }, resolution: { seconds: [172_800], businessSeconds: [43_200] }, ratings: { good: 0, okay: 1, bad: 0 }, backlog: 2 })],
      ]),
    );
    expect([...t.agents.keys()].sort()).toEqual(['', A, B]);
    const solvedByAgents = [...t.agents.values()].reduce((n, a) => n + a.solved, 0);
    expect(solvedByAgents).toBe(t.totals.solved);
  });

  it('ignores the excluded row even with every inbox in scope, and counts the other inbox then', () => {
    const all = tallyReport(rows, everything, period);
    // Ticket 7 adds one of everything (C's); ticket 6 (excluded) still nothing.
    expect(all.totals).toEqual({ new: 4, solved: 5, reopened: 2, reopenRate: 2 / 4 });
    expect(all.volume.map((v) => [v.new, v.solved, v.reopened])).toEqual([
      [2, 1, 1],
      [1, 3, 1],
      [1, 1, 0],
    ]);
    expect(all.firstResponse.count).toBe(4);
    expect(all.breaches).toBe(2);
    expect(all.backlogTotal).toBe(4);
    expect(all.satisfaction).toEqual({ good: 2, okay: 2, bad: 1 });
    expect(all.commented.map((c) => c.number)).toEqual([3, 7, 8, 1]);
    expect(all.agents.get(C)).toEqual(
      agent({ solved: 1, replies: 1, firstResponse: { seconds: [5], businessSeconds: [5] }, resolution: { seconds: [50], businessSeconds: [50] }, ratings: { good: 1, okay: 0, bad: 0 }, backlog: 1 }),
    );
  });

  it('counts nothing for a scope no row is in', () => {
    const none = tallyReport(rows, { ...scope, teamIds: [] }, period);
    expect(none).toEqual(tallyReport([], scope, period));
    expect(none.volume).toEqual(starts.map((start) => ({ start, new: 0, solved: 0, reopened: 0 })));
    expect(none.totals).toEqual({ new: 0, solved: 0, reopened: 0, reopenRate: null });
    expect(none.firstResponse).toEqual({ count: 0, median: null, p90: null, businessMedian: null, businessP90: null });
    expect(none.sla.map((s) => s.attainment)).toEqual([null, null, null]);
    expect(none.backlog.every((b) => b.count === 0)).toBe(true);
    expect(none.backlogTotal).toBe(0);
    expect(none.satisfaction).toEqual({ good: 0, okay: 0, bad: 0 });
    expect(none.commented).toEqual([]);
    expect(none.agents.size).toBe(0);
  });

  it('counts a resolution with unknown durations in the reopen rate only', () => {
    const only = tallyReport([rows[2]!], scope, period);
    expect(only.resolution).toEqual({ count: 0, median: null, p90: null, businessMedian: null, businessP90: null });
    expect(only.totals.reopenRate).toBe(1);
    expect(only.sla.find((s) => s.target === 'resolution')).toEqual({ target: 'resolution', met: 0, breached: 1, attainment: 0 });
  });
});

describe('the backlog by age', () => {
  it('puts a ticket exactly a day (3, 7, 30 days) old in the next bucket, and one a millisecond younger in this one', () => {
    const at = now.getTime();
    const ages = [0, DAY - 1, DAY, 3 * DAY - 1, 3 * DAY, 7 * DAY - 1, 7 * DAY, 30 * DAY - 1, 30 * DAY, 400 * DAY, -DAY];
    const backlog = ages.map((age, i) => row(100 + i, { active: true, createdAt: at - age }));
    const t = tallyReport([...backlog, row(200, { active: false, createdAt: at - 2 * DAY })], scope, period);
    expect(t.backlog).toEqual([
      // 0, a day less a millisecond, and one created after now.
      { bucket: 'lt1d', count: 3 },
      { bucket: 'd1to3', count: 2 },
      { bucket: 'd3to7', count: 2 },
      { bucket: 'd7to30', count: 2 },
      { bucket: 'gt30d', count: 2 },
    ]);
    expect(t.backlogTotal).toBe(11);
    expect(t.agents.get('')?.backlog).toBe(11);
  });
});

describe('durationStats', () => {
  it('takes the nearest-rank median and p90 of each list', () => {
    const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(durationStats(ten, [100, 200])).toEqual({ count: 10, median: 5, p90: 9, businessMedian: 100, businessP90: 200 });
    expect(durationStats([], [])).toEqual({ count: 0, median: null, p90: null, businessMedian: null, businessP90: null });
  });
});

describe('createReportTally', () => {
  it('adds rows one by one to the same figures as tallyReport, in any order', () => {
    const expected = tallyReport(rows, scope, period);
    const inOrder = createReportTally(scope, period);
    for (const r of rows) inOrder.add(r);
    expect(inOrder.finish()).toEqual(expected);
    const reversed = createReportTally(scope, period);
    for (const r of [...rows].reverse()) reversed.add(r);
    expect(reversed.finish()).toEqual(expected);
  });

  it('buckets by the given starts, the first one before `from`', () => {
    // From 1 March 06:00: the first day bucket starts at midnight before it; a solve at 05:00 is outside the period.
    const later = { ...period, from: d('2026-03-01T06:00:00Z') };
    const t = tallyReport(
      [row(1, { createdAt: ms('2026-03-01T07:00:00Z'), events: [ev('2026-03-01T05:00:00Z', ROW_EVENT.solve, A), ev('2026-03-01T06:00:00Z', ROW_EVENT.solve, A)] })],
      scope,
      later,
    );
    expect(t.volume[0]).toEqual({ start: d('2026-03-01T00:00:00Z'), new: 1, solved: 1, reopened: 0 });
    expect(t.totals.solved).toBe(1);
  });
});
