import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportFilter } from '../../../../src/domain/report-filter.js';
import type { Report } from '../../../../src/domain/report.js';
import type { SatisfactionRating } from '../../../../src/domain/satisfaction.js';
import type { TicketEventType } from '../../../../src/domain/ticket-events.js';
import type { TicketEventDoc } from '../../../../src/store/models/ticket-event.js';
import type { Actor } from '../../../../src/services/access.js';
import { buildReport } from '../../../../src/services/reports/build-report.js';
import { listReportTickets, reportTicketRows } from '../../../../src/services/reports/list-report-tickets.js';
import { appErrorFrom, appErrorOf } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

// Issue 20: every figure of a report over a fixture set, computed by hand. Times are fixed (never the
// wall clock): the report is read in Paris (UTC+2 in May) over 1–14 May 2026, backlog ages at `now`.
let db: Awaited<ReturnType<typeof openTestDb>>;
const d = (iso: string) => new Date(iso);
const now = d('2026-05-20T12:00:00Z');
const ZONE = 'Europe/Paris';
const PERIOD = { from: '2026-05-01', to: '2026-05-14' };
const filterOf = (q: Record<string, string | string[]> = {}) => parseReportFilter({ ...PERIOD, ...q }, { timeZone: ZONE, now });

const ids: Record<string, Types.ObjectId> = {};
const hex = (name: string) => ids[name]!.toHexString();
let admin: Actor;
let manager: Actor;
let agent: Actor;

const deps = () => db.stores;
const report = (actor: Actor, q?: Record<string, string | string[]>) => buildReport(deps(), actor, filterOf(q), now);
const stats = (count: number, median: number | null, p90: number | null, businessMedian: number | null, businessP90: number | null) => ({ count, median, p90, businessMedian, businessP90 });
const none = stats(0, null, null, null, null);
/** The 14 day buckets with counts at some of them. */
const days = (at: Record<number, number>) => Array.from({ length: 14 }, (_, i) => at[i] ?? 0);

beforeAll(async () => {
  db = await openTestDb('reports');
  const { models } = db;
  const account = { imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } };
  const [a, b, c] = await models.Inbox.create([
    { name: 'Support', address: 'support@rep.test', ...account },
    { name: 'Sales', address: 'sales@rep.test', ...account },
    { name: 'Other', address: 'other@rep.test', ...account },
  ]);
  Object.assign(ids, { A: a!._id, B: b!._id, C: c!._id });
  const [x, y, ada, mia, al] = await models.User.create([
    { email: 'x@rep.test', name: 'Xavier', role: 'agent', passwordHash: 'x', inboxIds: [a!._id, b!._id, c!._id] },
    { email: 'y@rep.test', name: 'Yara', role: 'agent', passwordHash: 'x', inboxIds: [a!._id, b!._id, c!._id] },
    { email: 'ada@rep.test', name: 'Ada', role: 'admin', passwordHash: 'x', inboxIds: [] },
    { email: 'mia@rep.test', name: 'Mia', role: 'manager', passwordHash: 'x', inboxIds: [a!._id, b!._id] },
    { email: 'al@rep.test', name: 'Al', role: 'agent', passwordHash: 'x', inboxIds: [a!._id] },
  ]);
  Object.assign(ids, { X: x!._id, Y: y!._id });
  admin = { userId: ada!._id, role: 'admin', inboxIds: [] };
  manager = { userId: mia!._id, role: 'manager', inboxIds: [a!._id, b!._id] };
  agent = { userId: al!._id, role: 'agent', inboxIds: [a!._id] };
  const [t1, t2] = await models.Team.create([
    { name: 'Tier 1', level: 'L1', memberIds: [x!._id], inboxIds: [a!._id, b!._id] },
    { name: 'Tier 2', level: 'L2', memberIds: [y!._id], inboxIds: [a!._id, b!._id] },
  ]);
  Object.assign(ids, { T1: t1!._id, T2: t2!._id });
  const k1 = await models.Category.create({ name: 'Billing', inboxId: null });
  ids.K1 = k1._id;

  const ticket = (number: number, inbox: Types.ObjectId, over: Record<string, unknown>) => ({ number, inboxId: inbox, subject: `T${number}`, requester: { email: 'c@customer.test' }, ...over });
  const tickets = await models.Ticket.create([
    // t1: Support, Tier 1, Xavier, high, vip, Billing. Created 2 May 10:00 Paris; answered after 1 h; solved after 1 day.
    ticket(1, a!._id, { teamId: t1!._id, assigneeId: x!._id, priority: 'high', tags: ['vip'], categoryId: k1._id, status: 'solved', createdAt: d('2026-05-02T08:00:00Z'), satisfaction: { rating: 'good', at: d('2026-05-04T10:00:00Z') },
      metrics: { firstResponseAt: d('2026-05-02T09:00:00Z'), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600, lastSolvedAt: d('2026-05-03T08:00:00Z'), resolutionSeconds: 86_400, resolutionBusinessSeconds: 28_800, reopenCount: 0, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } }),
    // t2: Support, Tier 1, Xavier. Created 3 May 22:30 UTC = 4 May 00:30 Paris; solved, reopened, solved again after 3 days.
    ticket(2, a!._id, { teamId: t1!._id, assigneeId: x!._id, status: 'solved', createdAt: d('2026-05-03T22:30:00Z'), satisfaction: { rating: 'bad', at: d('2026-05-07T09:00:00Z') },
      metrics: { firstResponseAt: d('2026-05-04T00:30:00Z'), firstResponseSeconds: 7200, firstResponseBusinessSeconds: 3600, lastSolvedAt: d('2026-05-06T22:30:00Z'), resolutionSeconds: 259_200, resolutionBusinessSeconds: 86_400, reopenCount: 1, sla: { firstResponse: 'breached', nextResponse: 'met', resolution: 'breached' } } }),
    // t3: Sales, Tier 2, Yara, high, billing. Open since 5 May 12:00 Paris, answered after 2 h.
    ticket(3, b!._id, { teamId: t2!._id, assigneeId: y!._id, priority: 'high', tags: ['billing'], status: 'open', createdAt: d('2026-05-05T10:00:00Z'),
      metrics: { firstResponseAt: d('2026-05-05T12:00:00Z'), firstResponseSeconds: 7200, firstResponseBusinessSeconds: 7200, sla: { firstResponse: 'met' } } }),
    // t4: Sales, no team, unassigned, new: created 13 May 23:30 UTC = 14 May 01:30 Paris.
    ticket(4, b!._id, { status: 'new', createdAt: d('2026-05-13T23:30:00Z') }),
    // t5: Support, Tier 1, Xavier, low. Created in April, reopened 9 May, solved by a rule 10 May after 30 days, closed.
    ticket(5, a!._id, { teamId: t1!._id, assigneeId: x!._id, priority: 'low', status: 'closed', createdAt: d('2026-04-10T10:00:00Z'), satisfaction: { rating: 'okay', at: d('2026-05-11T00:00:00Z') },
      metrics: { firstResponseAt: d('2026-04-10T11:00:00Z'), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600, lastSolvedAt: d('2026-05-10T10:00:00Z'), resolutionSeconds: 2_592_000, resolutionBusinessSeconds: 864_000, reopenCount: 2, sla: { firstResponse: 'met', nextResponse: 'breached', resolution: 'breached' } } }),
    // t6: the inbox the manager does not see; Yara, open.
    ticket(6, c!._id, { assigneeId: y!._id, status: 'open', createdAt: d('2026-05-02T10:00:00Z') }),
    // t7: merged away, t8: spam: never counted.
    ticket(7, a!._id, { assigneeId: x!._id, status: 'closed', createdAt: d('2026-05-02T12:00:00Z'), metrics: { lastSolvedAt: d('2026-05-02T13:00:00Z'), resolutionSeconds: 3600, resolutionBusinessSeconds: 3600 } }),
    ticket(8, a!._id, { status: 'spam', createdAt: d('2026-05-06T10:00:00Z') }),
    // t9: Support, Tier 1, Yara, urgent, pending since March. t10: created after the period, new.
    ticket(9, a!._id, { teamId: t1!._id, assigneeId: y!._id, priority: 'urgent', status: 'pending', createdAt: d('2026-03-01T10:00:00Z') }),
    ticket(10, a!._id, { status: 'new', createdAt: d('2026-05-19T20:00:00Z') }),
  ]);
  tickets.forEach((t, i) => (ids[`t${i + 1}`] = t._id));
  await models.Ticket.updateOne({ _id: ids.t7 }, { $set: { mergedIntoId: ids.t1 } });

  const byX = { kind: 'user' as const, id: x!._id };
  const byY = { kind: 'user' as const, id: y!._id };
  const system = { kind: 'system' as const };
  const ev = (t: string, type: TicketEventType, at: string, actor: TicketEventDoc['actor'], data: object = {}) => ({ ticketId: ids[t]!, type, at: d(at), actor, data });
  await models.TicketEvent.create([
    ev('t1', 'reply_queued', '2026-04-29T10:00:00Z', byX), // before the period
    ev('t1', 'reply_queued', '2026-05-02T09:00:00Z', byX),
    ev('t1', 'note_added', '2026-05-02T09:30:00Z', byX), // not counted
    ev('t1', 'status_changed', '2026-05-03T08:00:00Z', byX, { from: 'open', to: 'solved' }), // solve, 3 May
    ev('t2', 'reply_queued', '2026-05-04T00:30:00Z', byX),
    ev('t2', 'status_changed', '2026-05-05T08:00:00Z', byX, { from: 'open', to: 'solved' }), // solve, 5 May
    ev('t2', 'reopened', '2026-05-05T22:30:00Z', { kind: 'contact' as const }, { from: 'solved' }), // reopen, 6 May 00:30 Paris
    ev('t2', 'sla_breached', '2026-05-06T12:00:00Z', system, { clock: 'resolution' }),
    ev('t2', 'status_changed', '2026-05-06T22:30:00Z', byX, { from: 'open', to: 'solved' }), // solve, 7 May 00:30 Paris
    ev('t3', 'status_changed', '2026-05-05T11:00:00Z', byY, { from: 'new', to: 'open' }), // neither
    ev('t3', 'reply_queued', '2026-05-05T12:00:00Z', byY),
    ev('t3', 'sla_breached', '2026-05-06T10:00:00Z', system, { clock: 'nextResponse' }),
    ev('t5', 'status_changed', '2026-04-20T10:00:00Z', byX, { from: 'closed', to: 'open' }), // before the period
    ev('t5', 'status_changed', '2026-05-09T10:00:00Z', byY, { from: 'solved', to: 'open' }), // reopen, 9 May
    ev('t5', 'status_changed', '2026-05-10T10:00:00Z', system, { from: 'pending', to: 'solved' }), // solve by a rule, 10 May
    ev('t5', 'status_changed', '2026-05-12T10:00:00Z', system, { from: 'solved', to: 'closed' }), // neither
    ev('t6', 'reply_queued', '2026-05-02T11:00:00Z', byY),
    ev('t7', 'status_changed', '2026-05-02T13:00:00Z', byX, { from: 'open', to: 'solved' }),
  ]);
  const rating = (t: string, inbox: Types.ObjectId, value: SatisfactionRating, comment: string | null, ratedAt: string) => ({
    ticketId: ids[t], inboxId: inbox, teamId: null, assigneeId: null, email: 'c@customer.test', askedAt: d(ratedAt), solvedAt: d(ratedAt), rating: value, comment, ratedAt: d(ratedAt),
  });
  await models.SatisfactionRating.create([
    rating('t1', a!._id, 'good', 'Great', '2026-05-04T10:00:00Z'),
    rating('t2', a!._id, 'bad', 'Slow', '2026-05-07T09:00:00Z'),
    rating('t5', a!._id, 'okay', null, '2026-05-11T00:00:00Z'),
    rating('t6', c!._id, 'bad', '  ', '2026-05-03T00:00:00Z'), // a blank comment is no comment
    rating('t7', a!._id, 'good', 'Merged', '2026-05-03T00:00:00Z'),
    rating('t9', a!._id, 'good', 'Earlier', '2026-04-20T00:00:00Z'), // before the period
    { ticketId: ids.t3, inboxId: b!._id, email: 'c@customer.test', askedAt: d('2026-05-06T00:00:00Z'), solvedAt: d('2026-05-06T00:00:00Z') }, // asked, not rated
  ]);
});
afterAll(() => db.drop());

describe('a report over 1–14 May in Paris', () => {
  it('gives a manager every figure over their own inboxes', async () => {
    const r: Report = await report(manager);
    expect(r.filter.from).toEqual(d('2026-04-30T22:00:00Z'));
    expect(r.filter.to).toEqual(d('2026-05-14T22:00:00Z'));
    expect(r.granularity).toBe('day');
    expect(r.generatedAt).toEqual(now);
    // 14 Paris days; the first starts 1 May 00:00 Paris.
    expect(r.volume.map((v) => v.start)).toEqual(Array.from({ length: 14 }, (_, i) => new Date(Date.UTC(2026, 3, 30 + i, 22))));
    // New: t1 (2 May), t2 (4 May in Paris, 3 May in UTC), t3 (5 May), t4 (14 May in Paris, 13 May in UTC).
    expect(r.volume.map((v) => v.new)).toEqual(days({ 1: 1, 3: 1, 4: 1, 13: 1 }));
    // Solves: t1 3 May, t2 5 May and 7 May (00:30 Paris), t5 10 May. Reopens: t2 6 May (00:30 Paris), t5 9 May.
    expect(r.volume.map((v) => v.solved)).toEqual(days({ 2: 1, 4: 1, 6: 1, 9: 1 }));
    expect(r.volume.map((v) => v.reopened)).toEqual(days({ 5: 1, 8: 1 }));
    // Solved in the period (last solve): t1, t2 (reopened once), t5 (twice): 2 of 3 were reopened.
    expect(r.totals).toEqual({ new: 4, solved: 4, reopened: 2, reopenRate: 2 / 3 });
    // First answered in the period: t1 3600, t2 7200, t3 7200 (business 3600, 3600, 7200): nearest rank p50 = 2nd, p90 = 3rd.
    expect(r.firstResponse).toEqual(stats(3, 7200, 7200, 3600, 7200));
    // Last solved in the period: t1 86,400, t2 259,200, t5 2,592,000 (business 28,800, 86,400, 864,000).
    expect(r.resolution).toEqual(stats(3, 259_200, 2_592_000, 86_400, 864_000));
    // First response: t1 met, t2 breached, t3 met. Next response: t1 none, t2 met, t5 breached. Resolution: t1 met, t2 and t5 breached.
    expect(r.sla).toEqual([
      { target: 'firstResponse', met: 2, breached: 1, attainment: 2 / 3 },
      { target: 'nextResponse', met: 1, breached: 1, attainment: 0.5 },
      { target: 'resolution', met: 1, breached: 2, attainment: 1 / 3 },
    ]);
    // Breaches recorded 6 May on t2 and t3.
    expect(r.breaches).toBe(2);
    // Active at 20 May 12:00 UTC: t10 16 h old, t4 6.5 days, t3 15 days, t9 80 days.
    expect(r.backlog).toEqual([
      { bucket: 'lt1d', count: 1 },
      { bucket: 'd1to3', count: 0 },
      { bucket: 'd3to7', count: 1 },
      { bucket: 'd7to30', count: 1 },
      { bucket: 'gt30d', count: 1 },
    ]);
    expect(r.backlogTotal).toBe(4);
    // Rated in the period: t1 good, t2 bad, t5 okay (t7 merged, t6 not theirs, t9 rated in April): 1 of 3 good.
    expect(r.satisfaction).toEqual({
      good: 1, okay: 1, bad: 1, total: 3, score: 33.3,
      comments: [
        { ticketId: hex('t2'), ticketNumber: 2, subject: 'T2', rating: 'bad', comment: 'Slow', ratedAt: d('2026-05-07T09:00:00Z') },
        { ticketId: hex('t1'), ticketNumber: 1, subject: 'T1', rating: 'good', comment: 'Great', ratedAt: d('2026-05-04T10:00:00Z') },
      ],
    });
    expect(r.agents).toEqual([
      // Xavier solved t1, t2 twice; replied on t1 and t2; assigned t1, t2 (first answered), t1, t2, t5 (solved), rated good, bad, okay.
      { agentId: hex('X'), name: 'Xavier', solved: 3, replies: 2, firstResponse: stats(2, 3600, 7200, 3600, 3600), resolution: stats(3, 259_200, 2_592_000, 86_400, 864_000), satisfaction: { good: 1, okay: 1, bad: 1, score: 33.3 }, backlog: 0 },
      // Yara replied on t3 (t6 is not in the manager's inboxes); t3 first answered; t3 and t9 active.
      { agentId: hex('Y'), name: 'Yara', solved: 0, replies: 1, firstResponse: stats(1, 7200, 7200, 7200, 7200), resolution: none, satisfaction: { good: 0, okay: 0, bad: 0, score: null }, backlog: 2 },
      // The rule's solve of t5, and the unassigned active tickets t4 and t10.
      { agentId: null, name: '', solved: 1, replies: 0, firstResponse: none, resolution: none, satisfaction: { good: 0, okay: 0, bad: 0, score: null }, backlog: 2 },
    ]);
    expect(r.agents.reduce((n, a) => n + a.solved, 0)).toBe(r.totals.solved);
  });

  it('gives an admin every inbox', async () => {
    const r = await report(admin);
    // t6 (Other) adds one new ticket on 2 May, Yara's reply on it, an active ticket of 18 days and a bad rating without comment.
    expect(r.totals).toEqual({ new: 5, solved: 4, reopened: 2, reopenRate: 2 / 3 });
    expect(r.volume.map((v) => v.new)).toEqual(days({ 1: 2, 3: 1, 4: 1, 13: 1 }));
    expect(r.backlog.map((b) => b.count)).toEqual([1, 0, 1, 2, 1]);
    expect(r.backlogTotal).toBe(5);
    expect(r.satisfaction).toMatchObject({ good: 1, okay: 1, bad: 2, total: 4, score: 25 });
    expect(r.satisfaction.comments.map((c) => c.comment)).toEqual(['Slow', 'Great']);
    expect(r.agents.map((a) => [a.name, a.solved, a.replies, a.backlog, a.satisfaction.bad])).toEqual([
      ['Xavier', 3, 2, 0, 1],
      ['Yara', 0, 2, 3, 1],
      ['', 1, 0, 2, 0],
    ]);
  });

  it('applies each filter to the tickets as they are now', async () => {
    // Sales: t3 and t4.
    const sales = await report(manager, { inbox: hex('B') });
    expect(sales.totals).toEqual({ new: 2, solved: 0, reopened: 0, reopenRate: null });
    expect(sales.firstResponse).toEqual(stats(1, 7200, 7200, 7200, 7200));
    expect(sales.resolution).toEqual(none);
    expect(sales.sla.map((s) => s.attainment)).toEqual([1, null, null]);
    expect(sales.breaches).toBe(1);
    expect(sales.backlog.map((b) => b.count)).toEqual([0, 0, 1, 1, 0]);
    expect(sales.satisfaction).toEqual({ good: 0, okay: 0, bad: 0, total: 0, score: null, comments: [] });
    expect(sales.agents.map((a) => [a.name, a.replies, a.backlog])).toEqual([['Yara', 1, 1], ['', 0, 1]]);

    // Tier 1: t1, t2, t5, t9.
    const tier1 = await report(manager, { team: hex('T1') });
    expect(tier1.totals).toEqual({ new: 2, solved: 4, reopened: 2, reopenRate: 2 / 3 });
    expect(tier1.breaches).toBe(1);
    expect(tier1.backlog.map((b) => b.count)).toEqual([0, 0, 0, 0, 1]);
    // Level L2: Tier 2, so t3 alone; Tier 1 of level L2: nothing.
    const l2 = await report(manager, { level: 'L2' });
    expect([l2.totals.new, l2.firstResponse.count, l2.backlogTotal, l2.breaches]).toEqual([1, 1, 1, 1]);
    const nothing = await report(manager, { team: hex('T1'), level: 'L2' });
    expect([nothing.totals, nothing.backlogTotal, nothing.agents]).toEqual([{ new: 0, solved: 0, reopened: 0, reopenRate: null }, 0, []]);

    // Assigned to Yara now: t3 and t9 (her reopen of t5, now Xavier's, is not counted).
    const yara = await report(manager, { agent: hex('Y') });
    expect(yara.totals).toEqual({ new: 1, solved: 0, reopened: 0, reopenRate: null });
    expect(yara.agents.map((a) => [a.name, a.replies, a.backlog])).toEqual([['Yara', 1, 2]]);

    // Billing: t1 alone, rated good.
    const billing = await report(manager, { category: hex('K1') });
    expect([billing.totals.new, billing.totals.solved, billing.satisfaction.score, billing.resolution.median]).toEqual([1, 1, 100, 86_400]);

    // High: t1 and t3, answered after 1 h and 2 h.
    const high = await report(manager, { priority: 'high' });
    expect([high.totals.new, high.firstResponse]).toEqual([2, stats(2, 3600, 7200, 3600, 7200)]);

    // Tags: vip is t1, billing is t3.
    expect((await report(manager, { tag: 'vip' })).volume.map((v) => v.new)).toEqual(days({ 1: 1 }));
    expect((await report(manager, { tag: 'billing' })).volume.map((v) => v.new)).toEqual(days({ 4: 1 }));
  });

  it('cuts days in the reader’s zone', async () => {
    // The same period in UTC: t2 (3 May 22:30 UTC) and t4 (13 May 23:30 UTC) fall a day earlier.
    const utc = await buildReport(deps(), manager, parseReportFilter(PERIOD, { timeZone: 'UTC', now }), now);
    expect(utc.volume[0]!.start).toEqual(d('2026-05-01T00:00:00Z'));
    expect(utc.volume.map((v) => v.new)).toEqual(days({ 1: 1, 2: 1, 4: 1, 12: 1 }));
    // t2's reopen (5 May 22:30 UTC) and last solve (6 May 22:30 UTC) too.
    expect(utc.volume.map((v) => v.reopened)).toEqual(days({ 4: 1, 8: 1 }));
    expect(utc.volume.map((v) => v.solved)).toEqual(days({ 2: 1, 4: 1, 5: 1, 9: 1 }));
  });

  it('is for managers and admins, a manager’s within their inboxes', async () => {
    expect((await appErrorFrom(report(agent))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(report(manager, { inbox: hex('C') }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(report(manager, { inbox: [hex('A'), hex('C')] }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(report(admin, { inbox: new Types.ObjectId().toHexString() }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(listReportTickets(deps(), agent, filterOf(), { limit: 10 }))).code).toBe('FORBIDDEN');
    expect(appErrorOf(() => reportTicketRows(deps(), manager, filterOf({ inbox: hex('C') }))).code).toBe('NOT_FOUND');
    // The admin's view of Other: t6 alone.
    expect((await report(admin, { inbox: hex('C') })).totals.new).toBe(1);
  });
});

describe('the tickets behind a report', () => {
  it('pages the tickets created, first answered or solved in the period, by number', async () => {
    const f = filterOf();
    const first = await listReportTickets(deps(), manager, f, { limit: 2 });
    expect(first.rows.map((r) => r.number)).toEqual([1, 2]);
    const second = await listReportTickets(deps(), manager, f, { after: first.next!, limit: 2 });
    expect(second.rows.map((r) => r.number)).toEqual([3, 4]);
    // t5 was created in April but solved in the period; t9 and t10 have nothing in it.
    const third = await listReportTickets(deps(), manager, f, { after: second.next!, limit: 2 });
    expect(third).toEqual({ rows: [expect.objectContaining({ number: 5 })], next: null });
    expect(first.rows[0]).toEqual({
      id: hex('t1'), number: 1, subject: 'T1', inbox: 'Support', team: 'Tier 1', level: 'L1', assignee: 'Xavier', category: 'Billing', priority: 'high', status: 'solved', tags: ['vip'],
      createdAt: d('2026-05-02T08:00:00Z'), firstResponseAt: d('2026-05-02T09:00:00Z'), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600,
      lastSolvedAt: d('2026-05-03T08:00:00Z'), resolutionSeconds: 86_400, resolutionBusinessSeconds: 28_800, reopenCount: 0,
      sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' }, satisfaction: 'good',
    });
    expect(second.rows[1]).toMatchObject({ number: 4, inbox: 'Sales', team: null, level: null, assignee: null, category: null, firstResponseAt: null, reopenCount: 0, sla: { firstResponse: null, nextResponse: null, resolution: null }, satisfaction: null });
    expect((await appErrorFrom(listReportTickets(deps(), manager, f, { after: 'bm90LWEtY3Vyc29y', limit: 2 }))).details?.issues).toEqual([expect.objectContaining({ path: 'after', key: 'errors:issue.cursor' })]);
  });

  it('streams every row for an export, within the filter', async () => {
    const numbers = async (actor: Actor, q?: Record<string, string>) => {
      const out: number[] = [];
      for await (const row of reportTicketRows(deps(), actor, filterOf(q))) out.push(row.number);
      return out;
    };
    expect(await numbers(manager)).toEqual([1, 2, 3, 4, 5]);
    expect(await numbers(admin)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await numbers(admin, { agent: hex('Y') })).toEqual([3, 6]);
  });
});
