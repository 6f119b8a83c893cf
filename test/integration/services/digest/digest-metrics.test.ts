import type { Types } from 'mongoose';
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

  it('keeps the inbox’s branding when it covers one inbox', async () => {
    const solo = await db.models.Inbox.create({ name: 'Solo', address: 'solo@dm.test', displayName: 'Solo Desk', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
    const max = await db.models.User.create({ email: 'max@dm.test', name: 'Max', role: 'manager', passwordHash: 'x', inboxIds: [solo._id], digest: { enabled: true, cron: '0 9 * * 6', timeZone: 'UTC', inboxIds: [], lastSentAt: since } });
    const seen: Parameters<typeof deps>[0] = [];
    await sendDigest(deps(seen), max._id);
    expect(seen.map((s) => s.branding)).toEqual([expect.objectContaining({ brandName: 'Solo Desk' })]);
  });
});
