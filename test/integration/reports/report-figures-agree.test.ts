import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/domain/report.js';
import type { TicketEventType } from '../../../src/domain/ticket-events.js';
import type { Actor } from '../../../src/services/access.js';
import { buildDigest, type DigestReport } from '../../../src/services/digest/build-digest.js';
import { buildReport } from '../../../src/services/reports/build-report.js';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from '../web/pages-harness.js';
import { startPagesAndApi } from '../web/pages-api-harness.js';

/*
 * Issue 20: one fixture set, every figure worked out by hand below, and the four views of it that
 * must agree: the report use case, the reports API, the reports page and the manager's digest, all
 * over the same inboxes (North and South) and the same period. The clock is fixed (`now`), never the
 * wall clock's; the stored metrics are set by hand as the ticket store writes them
 * (domain/ticket-metrics.ts), the trail entries as the use cases record them.
 */
const d = (iso: string) => new Date(iso);
const now = d('2026-11-21T09:00:00Z');
const from = d('2026-11-14T09:00:00Z');
const to = now;
const H = 3600;
const DAY = 86_400;

let h: Awaited<ReturnType<typeof startPagesAndApi>>;
let manager: Actor;
let managerUser: { name: string; email: string; role: 'manager'; inboxIds: Types.ObjectId[]; digest: { enabled: boolean; cron: string; timeZone: string; inboxIds: Types.ObjectId[] }; timeZone: string };
let inboxIds: Types.ObjectId[];
const numbers: Record<string, number> = {};
const ids: Record<string, Types.ObjectId> = {};

/*
 * The figures, by hand (period [Nov 14 09:00, Nov 21 09:00) UTC; "in scope": a ticket now in North or
 * South, not merged away, not spam):
 * - new: T1, T2, T3, T5, T10 and T12 (created exactly at `from`: the period is half-open) = 6. Not
 *   T4, T6 (created before), T7 (Other inbox), T8 (merged away), T9 (spam), T11 (created exactly at `to`).
 * - solved (transitions to solved in the period): T1 once, T2 twice (solved, reopened, solved again),
 *   T4 and T10 once = 5. T8's and T7's solves are out of scope; T4's close is no solve.
 * - reopened: T2 by the customer's mail, T6 by an agent (closed → open) = 2. T4 solved → closed is none.
 * - first response (tickets first answered in the period): T1 1 h, T2 2 h, T3 30 min, T10 1 h 30 min;
 *   sorted 1800, 3600, 5400, 7200: median (nearest rank, ceil(0.5 × 4) = 2nd) 3600, p90 (ceil(0.9 × 4)
 *   = 4th) 7200; business seconds the same (no business hours).
 * - resolution (tickets last solved in the period): T10 2 h, T1 1 d, T2 3 d (from its creation to its
 *   second solve), T4 8 d; median 86 400, p90 691 200. Business: 7200, 28 800, 100 000, 200 000:
 *   median 28 800, p90 200 000.
 * - SLA: first response met by T1, T3, T10, breached by T2 (3 / 1); next response met by T10 (1 / 0);
 *   resolution met by T1, T4, T10, breached by T2 (3 / 1); breaches recorded: T2's one (T7's and
 *   T8's are out).
 * - satisfaction (rated in the period, in scope): T1 good, T2 bad, T4 okay, T10 good = 2 / 1 / 1,
 *   score 2 / 4 = 50.0; comments newest first: T10 "Great", T2 "Too slow", T1 "Thanks" (T4 wrote none).
 *   Not T7 (Other), T8 (merged away), T6's rating (before the period).
 */
const HAND = {
  new: 6,
  solved: 5,
  reopened: 2,
  firstResponse: { count: 4, median: 1 * H, p90: 2 * H, businessMedian: 1 * H, businessP90: 2 * H },
  resolution: { count: 4, median: DAY, p90: 8 * DAY, businessMedian: 28_800, businessP90: 200_000 },
  sla: { firstResponse: { met: 3, breached: 1 }, nextResponse: { met: 1, breached: 0 }, resolution: { met: 3, breached: 1 } },
  breaches: 1,
  satisfaction: { good: 2, okay: 1, bad: 1, total: 4, score: 50 },
  comments: [
    ['T10', 'good', 'Great'],
    ['T2', 'bad', 'Too slow'],
    ['T1', 'good', 'Thanks'],
  ],
} as const;

beforeAll(async () => {
  // The app keeps the wall clock (its sessions and tokens live in it): the period is given explicitly,
  // and only the backlog, not compared here, reads the app's `now`.
  h = await startPagesAndApi('report_agree');
  const { models } = h;
  const account = { imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } };
  const [north, south, other] = await models.Inbox.create([
    { name: 'North', address: 'north@agree.test', ...account },
    { name: 'South', address: 'south@agree.test', ...account },
    { name: 'Other', address: 'other@agree.test', ...account },
  ]);
  inboxIds = [north!._id, south!._id];
  const x = await createUser(models, { email: 'x@agree.test', password: 'xavier password 1', name: 'Xavier', inboxIds: [north!._id, south!._id, other!._id] });
  const y = await createUser(models, { email: 'y@agree.test', password: 'yara password 12', name: 'Yara', inboxIds: [north!._id, south!._id, other!._id] });
  const mia = await createUser(models, { email: 'mia@agree.test', password: 'mia password 123', name: 'Mia', role: 'manager', inboxIds });
  await models.User.updateOne({ _id: mia._id }, { $set: { timeZone: 'UTC' } });
  manager = { userId: mia._id, role: 'manager', inboxIds };
  managerUser = { name: 'Mia', email: 'mia@agree.test', role: 'manager', inboxIds, digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [] }, timeZone: 'UTC' };

  let n = 500;
  const ticket = (key: string, inboxId: Types.ObjectId, createdAt: string, over: Record<string, unknown> = {}) => {
    numbers[key] = ++n;
    return { number: n, inboxId, subject: `${key} subject`, requester: { email: `${key.toLowerCase()}@customer.test` }, status: 'open' as const, createdAt: d(createdAt), ...over };
  };
  const fr = (at: string, seconds: number, sla: 'met' | 'breached' | null, business = seconds) => ({ firstResponseAt: d(at), firstResponseSeconds: seconds, firstResponseBusinessSeconds: business, sla: { firstResponse: sla } });
  const docs = [
    ticket('T1', north!._id, '2026-11-15T10:00:00Z', { status: 'solved', metrics: { ...fr('2026-11-15T11:00:00Z', H, 'met'), lastSolvedAt: d('2026-11-16T10:00:00Z'), resolutionSeconds: DAY, resolutionBusinessSeconds: 28_800, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } }),
    ticket('T2', north!._id, '2026-11-16T08:00:00Z', { status: 'solved', metrics: { ...fr('2026-11-16T10:00:00Z', 2 * H, 'breached'), lastSolvedAt: d('2026-11-19T08:00:00Z'), resolutionSeconds: 3 * DAY, resolutionBusinessSeconds: 100_000, reopenCount: 1, sla: { firstResponse: 'breached', nextResponse: null, resolution: 'breached' } } }),
    ticket('T3', south!._id, '2026-11-17T12:00:00Z', { status: 'pending', metrics: fr('2026-11-17T12:30:00Z', 1800, 'met') }),
    ticket('T4', south!._id, '2026-11-10T09:00:00Z', { status: 'closed', metrics: { ...fr('2026-11-10T10:00:00Z', H, 'met'), lastSolvedAt: d('2026-11-18T09:00:00Z'), resolutionSeconds: 8 * DAY, resolutionBusinessSeconds: 200_000, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } }),
    ticket('T5', north!._id, '2026-11-20T08:00:00Z', { status: 'new' }),
    ticket('T6', south!._id, '2026-11-13T09:00:00Z', { status: 'open', metrics: { ...fr('2026-11-13T10:00:00Z', H, null), lastSolvedAt: d('2026-11-13T12:00:00Z'), resolutionSeconds: 3 * H, resolutionBusinessSeconds: 3 * H, reopenCount: 1 } }),
    ticket('T7', other!._id, '2026-11-15T09:00:00Z', { status: 'solved', metrics: { ...fr('2026-11-15T09:10:00Z', 600, 'met'), lastSolvedAt: d('2026-11-15T10:00:00Z'), resolutionSeconds: H, resolutionBusinessSeconds: H, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } }),
    ticket('T8', north!._id, '2026-11-15T09:00:00Z', { status: 'closed', mergedIntoId: new Types.ObjectId(), metrics: { ...fr('2026-11-15T09:20:00Z', 1200, 'met'), lastSolvedAt: d('2026-11-15T11:00:00Z'), resolutionSeconds: 2 * H, resolutionBusinessSeconds: 2 * H, sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' } } }),
    ticket('T9', north!._id, '2026-11-18T09:00:00Z', { status: 'spam' }),
    ticket('T10', north!._id, '2026-11-20T10:00:00Z', { status: 'solved', metrics: { ...fr('2026-11-20T11:30:00Z', 5400, 'met'), lastSolvedAt: d('2026-11-20T12:00:00Z'), resolutionSeconds: 2 * H, resolutionBusinessSeconds: 2 * H, sla: { firstResponse: 'met', nextResponse: 'met', resolution: 'met' } } }),
    ticket('T11', south!._id, '2026-11-21T09:00:00Z', { status: 'new' }),
    ticket('T12', north!._id, '2026-11-14T09:00:00Z', { status: 'new' }),
  ];
  for (const t of await models.Ticket.create(docs)) ids[Object.keys(numbers).find((k) => numbers[k] === t.number)!] = t._id;

  const byX = { kind: 'user' as const, id: x._id };
  const byY = { kind: 'user' as const, id: y._id };
  const ev = (key: string, type: TicketEventType, at: string, actor: { kind: 'user' | 'contact' | 'system'; id?: Types.ObjectId }, data: Record<string, unknown> = {}) => ({ ticketId: ids[key]!, type, at: d(at), actor, data });
  await models.TicketEvent.create([
    ev('T1', 'reply_queued', '2026-11-15T11:00:00Z', byX),
    ev('T1', 'status_changed', '2026-11-16T10:00:00Z', byX, { from: 'open', to: 'solved' }),
    ev('T2', 'sla_breached', '2026-11-16T09:00:00Z', { kind: 'system' }, { clock: 'firstResponse' }),
    ev('T2', 'reply_queued', '2026-11-16T10:00:00Z', byY),
    ev('T2', 'status_changed', '2026-11-17T08:00:00Z', byY, { from: 'open', to: 'solved' }),
    ev('T2', 'reopened', '2026-11-18T09:00:00Z', { kind: 'contact' }, { from: 'solved' }),
    ev('T2', 'status_changed', '2026-11-19T08:00:00Z', byY, { from: 'open', to: 'solved' }),
    ev('T3', 'reply_queued', '2026-11-17T12:30:00Z', byX),
    ev('T4', 'status_changed', '2026-11-18T09:00:00Z', byX, { from: 'open', to: 'solved' }),
    ev('T4', 'status_changed', '2026-11-20T09:00:00Z', { kind: 'system' }, { from: 'solved', to: 'closed' }),
    ev('T6', 'status_changed', '2026-11-19T12:00:00Z', byX, { from: 'closed', to: 'open' }),
    ev('T7', 'status_changed', '2026-11-15T10:00:00Z', byX, { from: 'open', to: 'solved' }),
    ev('T7', 'sla_breached', '2026-11-15T09:30:00Z', { kind: 'system' }, { clock: 'nextResponse' }),
    ev('T8', 'status_changed', '2026-11-15T11:00:00Z', byY, { from: 'open', to: 'solved' }),
    ev('T8', 'sla_breached', '2026-11-15T10:00:00Z', { kind: 'system' }, { clock: 'resolution' }),
    ev('T10', 'reply_queued', '2026-11-20T11:30:00Z', byY),
    ev('T10', 'status_changed', '2026-11-20T12:00:00Z', byY, { from: 'open', to: 'solved' }),
  ]);
  const rate = (key: string, rating: 'good' | 'okay' | 'bad', ratedAt: string, comment: string | null = null) => ({
    ticketId: ids[key]!, inboxId: docs.find((t) => t.number === numbers[key])!.inboxId, email: 'c@customer.test', askedAt: d(ratedAt), solvedAt: d(ratedAt), rating, comment, ratedAt: d(ratedAt),
  });
  await models.SatisfactionRating.create([
    rate('T1', 'good', '2026-11-16T12:00:00Z', 'Thanks'),
    rate('T2', 'bad', '2026-11-19T10:00:00Z', 'Too slow'),
    rate('T4', 'okay', '2026-11-18T15:00:00Z'),
    rate('T10', 'good', '2026-11-20T13:00:00Z', 'Great'),
    rate('T6', 'good', '2026-11-13T13:00:00Z', 'Before the period'),
    rate('T7', 'bad', '2026-11-15T12:00:00Z', 'Other inbox'),
    rate('T8', 'good', '2026-11-15T12:00:00Z', 'Merged away'),
  ]);
});
afterAll(() => h.close());

const query = () => {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  for (const id of inboxIds) q.append('inbox', id.toHexString());
  return q.toString();
};
const filter = () => ({ from, to, timeZone: 'UTC', inboxIds: inboxIds.map((i) => i.toHexString()), teamId: null, level: null, agentId: null, categoryId: null, priority: null, tag: null });

/** The figures every view gives, in one shape. */
interface Figures {
  new: number;
  solved: number;
  reopened: number;
  firstResponse: { median: number | null; p90: number | null };
  resolution: { median: number | null; p90: number | null };
  satisfaction: { good: number; okay: number; bad: number; total: number; score: number | null };
  comments: Array<[number, string, string]>;
}

const handFigures = (): Figures => ({
  new: HAND.new,
  solved: HAND.solved,
  reopened: HAND.reopened,
  firstResponse: { median: HAND.firstResponse.median, p90: HAND.firstResponse.p90 },
  resolution: { median: HAND.resolution.median, p90: HAND.resolution.p90 },
  satisfaction: { ...HAND.satisfaction },
  comments: HAND.comments.map(([key, rating, comment]) => [numbers[key]!, rating, comment]),
});

const reportFigures = (r: Report): Figures => ({
  new: r.totals.new,
  solved: r.totals.solved,
  reopened: r.totals.reopened,
  firstResponse: { median: r.firstResponse.median, p90: r.firstResponse.p90 },
  resolution: { median: r.resolution.median, p90: r.resolution.p90 },
  satisfaction: { good: r.satisfaction.good, okay: r.satisfaction.okay, bad: r.satisfaction.bad, total: r.satisfaction.total, score: r.satisfaction.score },
  comments: r.satisfaction.comments.map((c) => [c.ticketNumber, c.rating, c.comment]),
});

/** A section of the reports page, by its heading's id. */
const section = (html: string, id: string) => new RegExp(`<section class="report-section" aria-labelledby="${id}">[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
/** The table rows of a section: each row's cells' raw numbers by series. */
const tableRows = (html: string) =>
  [...html.matchAll(/<tr data-chart-label="[^"]*">([\s\S]*?)<\/tr>/g)].map((row) => Object.fromEntries([...row[1]!.matchAll(/data-series="([^"]+)" data-value="([^"]*)"/g)].map((c) => [c[1]!, c[2] === '' ? null : Number(c[2])])));

describe('the report, its API, its page and the digest agree with the figures worked out by hand', () => {
  it('buildReport', async () => {
    const r = await buildReport(h.stores, manager, filter(), now);
    expect(reportFigures(r)).toEqual(handFigures());
    expect(r.firstResponse).toEqual(HAND.firstResponse);
    expect(r.resolution).toEqual(HAND.resolution);
    expect(r.sla.map((s) => [s.target, s.met, s.breached])).toEqual([
      ['firstResponse', HAND.sla.firstResponse.met, HAND.sla.firstResponse.breached],
      ['nextResponse', HAND.sla.nextResponse.met, HAND.sla.nextResponse.breached],
      ['resolution', HAND.sla.resolution.met, HAND.sla.resolution.breached],
    ]);
    expect(r.breaches).toBe(HAND.breaches);
    expect(r.satisfaction.comments.map((c) => c.ticketId)).toEqual(HAND.comments.map(([key]) => ids[key]!.toHexString()));
  });

  it('the API', async () => {
    const token = await login(h.api, 'mia@agree.test', 'mia password 123');
    const res = await call(h.api, 'GET', `/reports?${query()}`, { token });
    expect(res.status).toBe(200);
    const r = res.body as Report;
    expect(reportFigures(r)).toEqual(handFigures());
    expect(r.firstResponse).toEqual(HAND.firstResponse);
    expect(r.resolution).toEqual(HAND.resolution);
    expect(r.sla.map((s) => [s.met, s.breached])).toEqual([
      [HAND.sla.firstResponse.met, HAND.sla.firstResponse.breached],
      [HAND.sla.nextResponse.met, HAND.sla.nextResponse.breached],
      [HAND.sla.resolution.met, HAND.sla.resolution.breached],
    ]);
    expect(r.breaches).toBe(HAND.breaches);
  });

  it('the page’s tables', async () => {
    const client = new Client(h.base);
    await client.login('mia@agree.test', 'mia password 123');
    const page = await client.get(`/reports?${query()}`);
    expect(page.status).toBe(200);
    const html = page.text;
    // Volume: the period's buckets add up to the totals.
    const volume = tableRows(section(html, 'report-volume'));
    const total = (series: string) => volume.reduce((n, row) => n + (row[series] ?? 0), 0);
    expect([total('new'), total('solved'), total('reopened')]).toEqual([HAND.new, HAND.solved, HAND.reopened]);
    // And the totals strip says the same.
    const totals = [...html.matchAll(/<div><dt>([^<]*)<\/dt><dd>([^<]*)<\/dd><\/div>/g)].map((m) => m[2]);
    expect(totals.slice(0, 3)).toEqual([String(HAND.new), String(HAND.solved), String(HAND.reopened)]);
    expect(totals).toContain('50%');
    // Durations: first response, then resolution.
    const durations = section(html, 'report-durations');
    const [first, resolution] = tableRows(durations);
    const counts = [...durations.matchAll(/<td class="num" data-label="[^"]*" data-value="(\d+)">/g)].map((m) => Number(m[1]));
    expect([{ count: counts[0], ...first }, { count: counts[1], ...resolution }]).toEqual([HAND.firstResponse, HAND.resolution]);
    // SLA: met and breached per target, and the breaches recorded.
    const sla = section(html, 'report-sla');
    expect(tableRows(sla)).toEqual([HAND.sla.firstResponse, HAND.sla.nextResponse, HAND.sla.resolution]);
    expect(sla).toContain(`SLA breaches recorded in the period: ${HAND.breaches}`);
    // Satisfaction: good, okay, bad; the comments link to their tickets by id.
    const satisfaction = section(html, 'report-satisfaction');
    expect(tableRows(satisfaction).map((row) => row.count)).toEqual([HAND.satisfaction.good, HAND.satisfaction.okay, HAND.satisfaction.bad]);
    const comments = [...satisfaction.matchAll(/<a href="\/tickets\/([0-9a-f]{24})">#(\d+) /g)].map((m) => [m[1], Number(m[2])]);
    expect(comments).toEqual(HAND.comments.map(([key]) => [ids[key]!.toHexString(), numbers[key]]));
  });

  it('the digest', async () => {
    const digest: DigestReport = await buildDigest(h.stores, { user: managerUser, since: from, until: to, ticketUrlBase: 'https://desk.agree.test/tickets', publicUrl: 'https://desk.agree.test' });
    const s = digest.satisfaction!;
    expect({
      new: digest.counts.new,
      solved: digest.counts.solved,
      reopened: digest.counts.reopened,
      firstResponse: { median: digest.medianFirstResponseSeconds, p90: digest.p90FirstResponseSeconds },
      resolution: { median: digest.medianResolutionSeconds, p90: digest.p90ResolutionSeconds },
      satisfaction: { good: s.good, okay: s.okay, bad: s.bad, total: s.total, score: s.score },
      comments: s.comments.map((c) => [c.number, c.rating, c.comment]),
    }).toEqual(handFigures());
    // It lists the same breaches (T2's), linked to the ticket page by id.
    expect(digest.breaches.map((b) => b.id)).toEqual([ids.T2!.toHexString()]);
    expect(digest.breaches).toHaveLength(HAND.breaches);
    // Its agents' solves add up to its total (no rule solved anything here).
    expect(digest.perAgent.reduce((n, a) => n + a.solved, 0)).toBe(HAND.solved);
    // Its reports link opens the page with the same period and inboxes: the figures above.
    const link = new URL(digest.reportsUrl!);
    expect(link.pathname).toBe('/reports');
    expect(link.searchParams.toString()).toBe(query());
    expect(s.comments.map((c) => c.id)).toEqual(HAND.comments.map(([key]) => ids[key]!.toHexString()));
  });
});
