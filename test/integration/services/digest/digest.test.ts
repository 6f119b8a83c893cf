import type { Types } from 'mongoose';
import type { TicketEventType } from '../../../../src/domain/ticket-events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintEmailTemplate, renderEmail } from '../../../../src/mail/render-email.js';
import { agentStartedOrigin } from '../../../../src/domain/ticket.js';
import { buildDigest } from '../../../../src/services/digest/build-digest.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const d = (iso: string) => new Date(iso);
const since = d('2026-11-14T09:00:00Z');
const until = d('2026-11-21T09:00:00Z');

beforeAll(async () => {
  db = await openTestDb('digest');
});
afterAll(() => db.drop());

async function seedWeek() {
  const { models } = db;
  const [a, b] = await models.Inbox.create([
    { name: 'Support', address: 'support@digest.test', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } },
    { name: 'Sales', address: 'sales@digest.test', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } },
  ]);
  const [x, y] = await models.User.create([
    { email: 'x@digest.test', name: 'Xavier', role: 'agent', passwordHash: 'x', inboxIds: [a!._id] },
    { email: 'y@digest.test', name: 'Yara', role: 'agent', passwordHash: 'x', inboxIds: [a!._id] },
  ]);
  let n = 100;
  const ticket = (over: Record<string, unknown>) => ({ number: n++, inboxId: a!._id, requester: { email: 'c@customer.test' }, subject: `T${n}`, ...over });
  const [t1, t2, t3, t4, t5, t6] = await models.Ticket.create([
    ticket({ subject: 'T1', createdAt: d('2026-11-10T09:00:00Z'), status: 'open', assigneeId: x!._id }),
    // Figures are read from the metrics stored on the ticket (domain/ticket-metrics.ts).
    ticket({ subject: 'T2', createdAt: d('2026-11-15T10:00:00Z'), status: 'solved', solvedAt: d('2026-11-16T10:00:00Z'), sla: { firstRespondedAt: d('2026-11-15T11:00:00Z') }, metrics: { firstResponseAt: d('2026-11-15T11:00:00Z'), firstResponseSeconds: 3600, lastSolvedAt: d('2026-11-16T10:00:00Z'), resolutionSeconds: 86_400 } }),
    ticket({ subject: 'T3', createdAt: d('2026-11-18T10:00:00Z'), status: 'pending', assigneeId: y!._id, sla: { firstRespondedAt: d('2026-11-18T13:00:00Z') }, metrics: { firstResponseAt: d('2026-11-18T13:00:00Z'), firstResponseSeconds: 10_800 } }),
    // Its next due time stored, as every ticket write stores it (domain/sla-due.ts).
    ticket({ subject: 'T4', createdAt: d('2026-11-21T07:00:00Z'), status: 'new', sla: { firstResponseDueAt: d('2026-11-21T10:00:00Z'), nextDueAt: d('2026-11-21T10:00:00Z') } }),
    ticket({ subject: 'T5', createdAt: d('2026-11-20T08:00:00Z'), status: 'open' }),
    ticket({ subject: 'T6', createdAt: d('2026-11-16T09:00:00Z'), status: 'solved', solvedAt: d('2026-11-19T09:00:00Z'), sla: { firstRespondedAt: d('2026-11-16T09:30:00Z') }, metrics: { firstResponseAt: d('2026-11-16T09:30:00Z'), firstResponseSeconds: 1800, lastSolvedAt: d('2026-11-19T09:00:00Z'), resolutionSeconds: 259_200 } }),
  ]);
  await models.Ticket.create(ticket({ subject: 'other inbox', inboxId: b!._id, createdAt: d('2026-11-17T09:00:00Z') }));
  const ev = (ticketId: Types.ObjectId, type: TicketEventType, at: string, actor: { kind: 'user' | 'contact' | 'system'; id?: Types.ObjectId }, data: Record<string, unknown> = {}) => ({ ticketId, type, at: d(at), actor, data });
  const byX = { kind: 'user' as const, id: x!._id };
  const byY = { kind: 'user' as const, id: y!._id };
  await models.TicketEvent.create([
    ev(t2!._id, 'reply_queued', '2026-11-15T11:00:00Z', byX),
    ev(t2!._id, 'status_changed', '2026-11-16T10:00:00Z', byX, { from: 'open', to: 'solved' }),
    ev(t6!._id, 'reply_queued', '2026-11-16T09:30:00Z', byY),
    ev(t6!._id, 'status_changed', '2026-11-19T09:00:00Z', byY, { from: 'pending', to: 'solved' }),
    ev(t3!._id, 'reply_queued', '2026-11-18T13:00:00Z', byY),
    ev(t1!._id, 'reopened', '2026-11-17T12:00:00Z', { kind: 'contact' as const }),
    ev(t5!._id, 'sla_breached', '2026-11-20T16:00:00Z', { kind: 'system' as const }, { clock: 'firstResponse' }),
    // Outside the period: counted nowhere.
    ev(t1!._id, 'reopened', '2026-11-12T12:00:00Z', { kind: 'contact' as const }),
  ]);
  return { a: a!, b: b!, t4: t4!, t5: t5! };
}

describe('manager digest for a seeded week', () => {
  it('has the right numbers', async () => {
    const { a, t4, t5 } = await seedWeek();
    const manager = { name: 'Mia', email: 'mia@digest.test', role: 'manager' as const, inboxIds: [a._id], digest: { enabled: true, cron: '0 8 * * 1-5', timeZone: 'Europe/Berlin', inboxIds: [] } };
    const report = await buildDigest(db.stores, { user: manager, since, until, ticketUrlBase: 'https://help.example.test/tickets' });
    expect(report.inboxes).toEqual(['Support']);
    expect(report.counts).toEqual({ new: 5, solved: 2, reopened: 1 });
    expect(report.backlogByAge).toEqual([
      { label: '< 1 day', count: 1 },
      { label: '1–3 days', count: 2 },
      { label: '3–7 days', count: 0 },
      { label: '> 7 days', count: 1 },
    ]);
    expect(report.breaches).toEqual([{ id: t5._id.toHexString(), number: t5.number, subject: 'T5', clock: 'firstResponse', breachedAt: d('2026-11-20T16:00:00Z') }]);
    expect(report.aboutToBreach).toEqual([{ id: t4._id.toHexString(), number: t4.number, subject: 'T4', clock: 'firstResponse', dueAt: d('2026-11-21T10:00:00Z') }]);
    expect(report.unassignedOlderThanHour.map((t) => t.subject)).toEqual(['T5', 'T4']);
    expect(report.medianFirstResponseSeconds).toBe(3600);
    // Resolutions 1 d and 3 d: the median is the nearest rank (1 d), as the reports take it, not their mean.
    expect(report.medianResolutionSeconds).toBe(86_400);
    expect(report.perAgent).toEqual([
      { name: 'Yara', solved: 1, replies: 2 },
      { name: 'Xavier', solved: 1, replies: 1 },
    ]);
    expect(report.empty).toBe(false);

    const rendered = await renderEmail('digest', { ...report });
    expect(await lintEmailTemplate('digest')).toEqual([]);
    expect(rendered.html).toContain('T5');
    // Linked to the ticket page, which is addressed by id (a link by number answers 404).
    expect(rendered.html).toContain(`<a href="https://help.example.test/tickets/${t5._id.toHexString()}">#${t5.number}</a>`);
    expect(rendered.text).toContain(`https://help.example.test/tickets/${t4._id.toHexString()}`);
    expect(rendered.html).not.toContain(`/tickets/${t5.number}"`);
    expect(rendered.html).toMatch(/Median first response/i);
    expect(rendered.text).toMatch(/new\D+5/i);
    expect(rendered.html).not.toMatch(/<img[^>]+src="https?:/i);
  });

  it('leaves a conversation an agent started out of the first response time', async () => {
    const inbox = await db.models.Inbox.create({ name: 'Outreach', address: 'outreach@digest.test', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
    await db.models.Ticket.create([
      // Answered two hours after the customer wrote.
      { number: 900, inboxId: inbox._id, requester: { email: 'c@customer.test' }, subject: 'Asked', status: 'pending', createdAt: d('2026-11-17T08:00:00Z'), sla: { firstRespondedAt: d('2026-11-17T10:00:00Z') }, metrics: { firstResponseAt: d('2026-11-17T10:00:00Z'), firstResponseSeconds: 7200 } },
      // Started by an agent: its first mail is ours, a second after the ticket; the reply stored no first response.
      { number: 901, inboxId: inbox._id, requester: { email: 'd@customer.test' }, subject: 'Told', status: 'pending', originKey: agentStartedOrigin('65a000000000000000000001', 'r1'), createdAt: d('2026-11-17T09:00:00Z'), sla: { firstRespondedAt: d('2026-11-17T09:00:01Z') } },
    ]);
    const manager = { name: 'Oz', email: 'oz@digest.test', role: 'manager' as const, inboxIds: [inbox._id], digest: { enabled: true, cron: '0 8 * * 1-5', timeZone: 'UTC', inboxIds: [] } };
    const report = await buildDigest(db.stores, { user: manager, since, until, ticketUrlBase: null });
    expect(report.counts.new).toBe(2);
    expect(report.medianFirstResponseSeconds).toBe(7200);
  });

  it('says "nothing to report" in one line when nothing happened', async () => {
    const quiet = await db.models.Inbox.create({ name: 'Quiet', address: 'quiet@digest.test', imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
    const manager = { name: 'Mo', email: 'mo@digest.test', role: 'manager' as const, inboxIds: [quiet._id], digest: { enabled: true, cron: '0 8 * * 1-5', timeZone: 'UTC', inboxIds: [] } };
    const report = await buildDigest(db.stores, { user: manager, since, until, ticketUrlBase: null });
    expect(report.empty).toBe(true);
    const rendered = await renderEmail('digest', { ...report });
    expect(rendered.text.trim().split('\n')).toEqual([expect.stringMatching(/^Nothing to report for .*: no new, solved or reopened tickets and no open backlog\.$/)]);
    expect(rendered.html).toContain('Nothing to report');
    expect(rendered.html).not.toMatch(/Median first response/i);
  });
});

describe("the digest's lists, read without listing every ticket", () => {
  const manager = (inboxId: Types.ObjectId, name: string) => ({ name, email: `${name.toLowerCase()}@digest.test`, role: 'manager' as const, inboxIds: [inboxId], digest: { enabled: true, cron: '0 8 * * 1-5', timeZone: 'UTC', inboxIds: [] } });
  const inbox = (name: string) => db.models.Inbox.create({ name, address: `${name.toLowerCase()}@digest.test`, imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 1 } });
  let n = 2000;
  const ticket = (inboxId: Types.ObjectId, over: Record<string, unknown>) => ({ number: n++, inboxId, requester: { email: 'c@customer.test' }, subject: `L${n}`, status: 'open' as const, createdAt: d('2026-11-15T09:00:00Z'), ...over });

  it('lists a clock about to breach even on a ticket already breached on another, and not a first response already given', async () => {
    const a = await inbox('Clocks');
    const [late, answered] = await db.models.Ticket.create([
      // Breached on its first response days ago (its next due time is that breach), its resolution due in an hour.
      ticket(a._id, { subject: 'Late', sla: { firstResponseDueAt: d('2026-11-16T09:00:00Z'), breachedAt: d('2026-11-16T09:00:00Z'), resolutionDueAt: d('2026-11-21T10:00:00Z'), nextDueAt: d('2026-11-16T09:00:00Z') } }),
      // Answered: its first response due time is still stored, but that clock has stopped.
      ticket(a._id, { subject: 'Answered', sla: { firstResponseDueAt: d('2026-11-21T09:30:00Z'), firstRespondedAt: d('2026-11-20T09:00:00Z'), resolutionDueAt: d('2026-11-25T09:00:00Z'), nextDueAt: d('2026-11-25T09:00:00Z') } }),
    ]);
    const report = await buildDigest(db.stores, { user: manager(a._id, 'Clo'), since, until, ticketUrlBase: null });
    expect(report.aboutToBreach).toEqual([{ id: late!._id.toHexString(), number: late!.number, subject: 'Late', clock: 'resolution', dueAt: d('2026-11-21T10:00:00Z') }]);
    expect(report.aboutToBreach.map((t) => t.id)).not.toContain(answered!._id.toHexString());
  });

  it("lists the period's first 20 breaches of its own inboxes, past more than a batch of another inbox's", async () => {
    const [mine, theirs] = [await inbox('Mine'), await inbox('Theirs')];
    const [own, merged, other] = await db.models.Ticket.create([ticket(mine._id, { subject: 'Own' }), ticket(mine._id, { subject: 'Merged away', mergedIntoId: mine._id }), ticket(theirs._id, { subject: 'Other' })]);
    const breach = (ticketId: Types.ObjectId, at: number) => ({ ticketId, type: 'sla_breached', at: new Date(since.getTime() + at * 60_000), actor: { kind: 'system' }, data: { clock: 'resolution' } });
    // 250 breaches of another inbox's ticket and of a merged-away one come first; then 25 of our own.
    await db.models.TicketEvent.insertMany([
      ...Array.from({ length: 200 }, (_, k) => breach(other!._id, k)),
      ...Array.from({ length: 50 }, (_, k) => breach(merged!._id, 200 + k)),
      ...Array.from({ length: 25 }, (_, k) => breach(own!._id, 300 + k)),
    ]);
    const report = await buildDigest(db.stores, { user: manager(mine._id, 'Min'), since, until, ticketUrlBase: null });
    expect(report.breaches).toHaveLength(20);
    expect(report.breaches.every((b) => b.subject === 'Own' && b.clock === 'resolution')).toBe(true);
    expect(report.breaches[0]!.breachedAt).toEqual(new Date(since.getTime() + 300 * 60_000));
    expect(report.breaches[19]!.breachedAt).toEqual(new Date(since.getTime() + 319 * 60_000));
  });

  it('lists the 20 oldest unassigned open tickets of its inboxes created over an hour before its end, oldest first', async () => {
    const [mine, theirs] = [await inbox('Queue'), await inbox('Elsewhere')];
    const at = (hours: number) => new Date(until.getTime() - hours * 3_600_000);
    await db.models.Ticket.create([
      ...Array.from({ length: 24 }, (_, k) => ticket(mine._id, { subject: `Waiting ${k}`, createdAt: at(100 - k) })),
      ticket(mine._id, { subject: 'Too new', createdAt: at(0.5) }),
      ticket(mine._id, { subject: 'Assigned', createdAt: at(200), assigneeId: mine._id }),
      ticket(mine._id, { subject: 'Solved', createdAt: at(200), status: 'solved' }),
      ticket(mine._id, { subject: 'Merged', createdAt: at(200), mergedIntoId: mine._id }),
      ticket(theirs._id, { subject: 'Theirs', createdAt: at(200) }),
    ]);
    const report = await buildDigest(db.stores, { user: manager(mine._id, 'Que'), since, until, ticketUrlBase: null });
    expect(report.unassignedOlderThanHour.map((t) => t.subject)).toEqual(Array.from({ length: 20 }, (_, k) => `Waiting ${k}`));
  });
});
