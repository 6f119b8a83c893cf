import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { createSigner } from '../../../../src/store/secret-box.js';
import { INSTANCE_BRANDING, sendDigest, type DigestDeps } from '../../../../src/services/digest/send-digest.js';
import type { EmailBranding, RenderEmailFn } from '../../../../src/services/outbound/render-types.js';
import { openTestDb } from '../../../helpers/db.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

// Issue 20: the digest of a manager of two inboxes, on a fixture computed by hand.
let db: Awaited<ReturnType<typeof openTestDb>>;
const d = (iso: string) => new Date(iso);
const since = d('2026-11-14T09:00:00Z');
const until = d('2026-11-21T09:00:00Z');

beforeAll(async () => {
  db = await openTestDb('digest_metrics');
});
afterAll(() => db.drop());

type Rendered = Awaited<ReturnType<RenderEmailFn>>;

/** The digest deps, with the branding and output of each rendered mail kept in `seen`. */
function deps(seen: Array<{ branding: EmailBranding | undefined; mail: Rendered }>): DigestDeps {
  const render: RenderEmailFn = async (template, data, opts) => {
    const mail = await renderEmail(template, data, opts);
    seen.push({ branding: opts?.branding, mail });
    return mail;
  };
  return { ...db.stores, scheduler: noJobs, compose, sign: createSigner('digest-metrics-key-of-at-least-32-chars'), now: () => until, render, ticketUrlBase: 'https://desk.example.test/tickets/', publicUrl: 'https://desk.example.test' };
}

describe('a digest over two inboxes', () => {
  it('is branded for the instance, counts solves as its agent rows do, reads the stored metrics and links by id', async () => {
    const { models } = db;
    const account = { imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } };
    const [support, sales] = await models.Inbox.create([
      { name: 'Support', address: 'support@dm.test', branding: { signature: 'The Support team', primaryColor: '#112233' }, ...account },
      { name: 'Sales', address: 'sales@dm.test', ...account },
    ]);
    const [xavier, yara, mia] = await models.User.create([
      { email: 'x@dm.test', name: 'Xavier', role: 'agent', passwordHash: 'x', inboxIds: [support!._id, sales!._id] },
      { email: 'y@dm.test', name: 'Yara', role: 'agent', passwordHash: 'x', inboxIds: [sales!._id] },
      { email: 'mia@dm.test', name: 'Mia', role: 'manager', passwordHash: 'x', inboxIds: [support!._id, sales!._id], digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [], lastSentAt: since } },
    ]);
    const ticket = (number: number, inboxId: Types.ObjectId, over: Record<string, unknown>) => ({ number, inboxId, subject: `T${number}`, requester: { email: 'c@customer.test' }, ...over });
    const [t1, t2, t3, t4] = await models.Ticket.create([
      // Solved by Xavier, then reopened by the customer within the period: it was solved once (the old digest said 0).
      ticket(1, support!._id, { status: 'open', createdAt: d('2026-11-15T10:00:00Z'), metrics: { firstResponseAt: d('2026-11-15T11:00:00Z'), firstResponseSeconds: 3600, lastSolvedAt: d('2026-11-16T10:00:00Z'), resolutionSeconds: 86_400, reopenCount: 1 } }),
      // Solved by Yara.
      ticket(2, sales!._id, { status: 'solved', solvedAt: d('2026-11-18T10:00:00Z'), createdAt: d('2026-11-17T10:00:00Z'), metrics: { firstResponseAt: d('2026-11-17T12:00:00Z'), firstResponseSeconds: 7200, lastSolvedAt: d('2026-11-18T10:00:00Z'), resolutionSeconds: 86_400 } }),
      // Solved by Xavier, then closed.
      ticket(3, sales!._id, { status: 'closed', solvedAt: d('2026-11-20T10:00:00Z'), closedAt: d('2026-11-20T11:00:00Z'), createdAt: d('2026-11-18T10:00:00Z'), metrics: { firstResponseAt: d('2026-11-18T20:00:00Z'), firstResponseSeconds: 36_000, lastSolvedAt: d('2026-11-20T10:00:00Z'), resolutionSeconds: 172_800 } }),
      // Waiting, unassigned, unanswered: listed with a link to its page.
      ticket(4, support!._id, { status: 'new', createdAt: d('2026-11-20T08:00:00Z') }),
    ]);
    const byX = { kind: 'user' as const, id: xavier!._id };
    const byY = { kind: 'user' as const, id: yara!._id };
    await models.TicketEvent.create([
      { ticketId: t1!._id, type: 'reply_queued', at: d('2026-11-15T11:00:00Z'), actor: byX, data: {} },
      { ticketId: t1!._id, type: 'status_changed', at: d('2026-11-16T10:00:00Z'), actor: byX, data: { from: 'pending', to: 'solved' } },
      { ticketId: t1!._id, type: 'reopened', at: d('2026-11-17T08:00:00Z'), actor: { kind: 'contact' as const }, data: { from: 'solved' } },
      { ticketId: t2!._id, type: 'status_changed', at: d('2026-11-18T10:00:00Z'), actor: byY, data: { from: 'open', to: 'solved' } },
      { ticketId: t3!._id, type: 'status_changed', at: d('2026-11-20T10:00:00Z'), actor: byX, data: { from: 'open', to: 'solved' } },
      { ticketId: t3!._id, type: 'status_changed', at: d('2026-11-20T11:00:00Z'), actor: { kind: 'system' as const }, data: { from: 'solved', to: 'closed' } },
    ]);

    const seen: Parameters<typeof deps>[0] = [];
    const { report } = await sendDigest(deps(seen), mia!._id);
    expect(report.inboxes.sort()).toEqual(['Sales', 'Support']);
    expect(seen.map((s) => s.branding)).toEqual([INSTANCE_BRANDING]);
    const { html, text } = seen[0]!.mail;

    expect(report.counts).toEqual({ new: 4, solved: 3, reopened: 1 });
    expect(report.perAgent).toEqual([
      { name: 'Xavier', solved: 2, replies: 1 },
      { name: 'Yara', solved: 1, replies: 0 },
    ]);
    expect(report.perAgent.reduce((sum, a) => sum + a.solved, 0)).toBe(report.counts.solved);
    // First responses 1 h, 2 h, 10 h; resolutions 1 d, 1 d, 2 d.
    expect(report.medianFirstResponseSeconds).toBe(7200);
    expect(report.p90FirstResponseSeconds).toBe(36_000);
    expect(report.medianResolutionSeconds).toBe(86_400);
    expect(report.p90ResolutionSeconds).toBe(172_800);

    const reports = `https://desk.example.test/reports?from=${encodeURIComponent(since.toISOString())}&to=${encodeURIComponent(until.toISOString())}`;
    expect(report.reportsUrl).toBe(`${reports}&inbox=${support!._id.toHexString()}&inbox=${sales!._id.toHexString()}`);
    const attr = (url: string) => `href="${url.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`;
    expect(html).toContain(attr(report.reportsUrl!));
    expect(html).not.toContain('The Support team');
    expect(html).toContain('Threadline');
    expect(text).toContain(report.reportsUrl!);
    // Tickets link to their page by id, never by number.
    expect(report.unassignedOlderThanHour.map((t) => t.id)).toEqual([t1!._id.toHexString(), t4!._id.toHexString()]);
    expect(html).toContain(`<a href="https://desk.example.test/tickets/${t4!._id.toHexString()}">#4</a>`);
    expect(text).toContain(`https://desk.example.test/tickets/${t4!._id.toHexString()}`);
  });

  it('includes the ratings of its period and inboxes, with the latest comments linked by id, in English and French', async () => {
    const { models } = db;
    const account = { imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } };
    const [north, south, elsewhere] = await models.Inbox.create([
      { name: 'North', address: 'north@dm.test', ...account },
      { name: 'South', address: 'south@dm.test', ...account },
      { name: 'Elsewhere', address: 'elsewhere@dm.test', ...account },
    ]);
    const noor = await models.User.create({ email: 'noor@dm.test', name: 'Noor', role: 'manager', locale: 'fr', passwordHash: 'x', inboxIds: [north!._id, south!._id], digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [], lastSentAt: since } });
    const solvedAt = d('2026-11-14T12:00:00Z');
    let n = 300;
    const ticket = (inboxId: Types.ObjectId, over: Record<string, unknown> = {}) => ({ number: n++, inboxId, subject: `Rated ${n}`, requester: { email: 'c@customer.test' }, status: 'solved' as const, solvedAt, createdAt: d('2026-11-14T10:00:00Z'), ...over });
    const tickets = await models.Ticket.create([
      ...Array.from({ length: 7 }, (_, i) => ticket(i % 2 ? south!._id : north!._id)),
      // Rated in the period, but in an inbox the digest does not cover, merged away, or in Spam: not counted.
      ticket(elsewhere!._id),
      ticket(north!._id, { status: 'closed', mergedIntoId: new Types.ObjectId() }),
      ticket(north!._id, { status: 'spam' }),
      // Rated before the period.
      ticket(north!._id),
    ]);
    const rate = (t: (typeof tickets)[number], rating: 'good' | 'okay' | 'bad', ratedAt: string, comment: string | null) => ({
      ticketId: t._id, inboxId: t.inboxId, email: 'c@customer.test', askedAt: solvedAt, solvedAt, rating, comment, ratedAt: d(ratedAt),
    });
    // In the period, on the two inboxes: 4 good, 2 okay, 1 bad (score 4/7 = 57.1 %); six comments, the five latest shown newest first.
    await models.SatisfactionRating.create([
      rate(tickets[0]!, 'good', '2026-11-15T09:00:00Z', 'Quick and kind.'),
      rate(tickets[1]!, 'good', '2026-11-16T09:00:00Z', 'Great help'),
      rate(tickets[2]!, 'good', '2026-11-17T09:00:00Z', null),
      rate(tickets[3]!, 'good', '2026-11-18T09:00:00Z', 'Solved <fast>'),
      rate(tickets[4]!, 'okay', '2026-11-19T09:00:00Z', 'Took a while'),
      rate(tickets[5]!, 'okay', '2026-11-20T09:00:00Z', 'Fine'),
      rate(tickets[6]!, 'bad', '2026-11-21T08:59:59Z', 'Nobody answered my question'),
      rate(tickets[7]!, 'bad', '2026-11-18T09:00:00Z', 'other inbox'),
      rate(tickets[8]!, 'bad', '2026-11-18T09:00:00Z', 'merged away'),
      rate(tickets[9]!, 'bad', '2026-11-18T09:00:00Z', 'spam'),
      rate(tickets[10]!, 'bad', '2026-11-14T08:59:59Z', 'before the period'),
    ]);

    const seen: Parameters<typeof deps>[0] = [];
    const { report } = await sendDigest(deps(seen), noor._id);
    const s = report.satisfaction!;
    expect({ good: s.good, okay: s.okay, bad: s.bad, total: s.total, score: s.score }).toEqual({ good: 4, okay: 2, bad: 1, total: 7, score: 57.1 });
    expect(s.comments.map((c) => [c.number, c.rating, c.comment])).toEqual([
      [tickets[6]!.number, 'bad', 'Nobody answered my question'],
      [tickets[5]!.number, 'okay', 'Fine'],
      [tickets[4]!.number, 'okay', 'Took a while'],
      [tickets[3]!.number, 'good', 'Solved <fast>'],
      [tickets[1]!.number, 'good', 'Great help'],
    ]);
    expect(s.comments[0]).toMatchObject({ id: tickets[6]!._id.toHexString(), subject: tickets[6]!.subject });

    // Rendered in the manager's language (French), with the ticket pages linked by id.
    const { html, text } = seen[0]!.mail;
    const page = (t: (typeof tickets)[number]) => `https://desk.example.test/tickets/${t._id.toHexString()}`;
    expect(html).toContain('Satisfaction des demandeurs');
    expect(html).toContain('57,1\u00a0%');
    expect(html).toContain(`<a href="${page(tickets[6]!)}">#${tickets[6]!.number}</a>`);
    expect(html).toContain('Mauvais\u00a0: «\u00a0Nobody answered my question\u00a0»');
    expect(html).toContain('Solved &lt;fast&gt;');
    expect(html).not.toContain('Quick and kind.');
    expect(text).toContain('SATISFACTION DES DEMANDEURS');
    expect(text).toContain('Bien\u00a0: 4   Moyen\u00a0: 2   Mauvais\u00a0: 1');
    expect(text).toContain(page(tickets[1]!));
    expect(text).not.toContain(page(tickets[0]!));

    // And in English.
    const en = await renderEmail('digest', { ...report }, { locale: 'en', timeZone: 'UTC' });
    expect(en.html).toContain('Customer satisfaction');
    expect(en.html).toContain('57.1%');
    expect(en.text).toContain('Good: 4   Okay: 2   Bad: 1');
    expect(en.text).toContain('Bad: “Nobody answered my question”');
  });

  it('says so when nobody rated in the period', async () => {
    const quiet = await db.models.Inbox.create({ name: 'Unrated', address: 'unrated@dm.test', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
    const lou = await db.models.User.create({ email: 'lou@dm.test', name: 'Lou', role: 'manager', passwordHash: 'x', inboxIds: [quiet._id], digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [], lastSentAt: since } });
    await db.models.Ticket.create({ number: 400, inboxId: quiet._id, subject: 'Open', requester: { email: 'c@customer.test' }, status: 'open', createdAt: d('2026-11-20T08:00:00Z') });
    const seen: Parameters<typeof deps>[0] = [];
    const { report } = await sendDigest(deps(seen), lou._id);
    expect(report.satisfaction).toEqual({ good: 0, okay: 0, bad: 0, total: 0, score: null, comments: [] });
    expect(seen[0]!.mail.text).toContain('No ratings in this period.');
  });

  it('keeps the inbox’s branding when it covers one inbox', async () => {
    const solo = await db.models.Inbox.create({ name: 'Solo', address: 'solo@dm.test', displayName: 'Solo Desk', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
    const max = await db.models.User.create({ email: 'max@dm.test', name: 'Max', role: 'manager', passwordHash: 'x', inboxIds: [solo._id], digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [], lastSentAt: since } });
    const seen: Parameters<typeof deps>[0] = [];
    await sendDigest(deps(seen), max._id);
    expect(seen.map((s) => s.branding)).toEqual([expect.objectContaining({ brandName: 'Solo Desk' })]);
  });
});
