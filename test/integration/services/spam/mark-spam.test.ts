import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_REPLY_JOB } from '../../../../src/services/auto-reply/send-auto-reply.js';
import type { Actor } from '../../../../src/services/access.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { refreshSla } from '../../../../src/services/sla/refresh-sla.js';
import { markTicketSpam, type SpamDeps } from '../../../../src/services/spam/mark-spam.js';
import { markTicketNotSpam } from '../../../../src/services/spam/not-spam.js';
import { countViews } from '../../../../src/services/tickets/count-views.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { updateTicket } from '../../../../src/services/tickets/update-ticket.js';
import { appErrorFrom, invalidFields } from '../../../helpers/app-error.js';
import { rawMail } from '../../../helpers/mail.js';
import { lifecycleFixture } from '../lifecycle/lifecycle-fixture.js';

let fx: Awaited<ReturnType<typeof lifecycleFixture>>;
let spamDeps: SpamDeps;
const T0 = new Date('2026-11-21T09:00:00Z');
let n = 0;

beforeAll(async () => {
  fx = await lifecycleFixture('spam_mark');
  // The real SLA re-plan, so the clocks can be seen stopping and starting again.
  spamDeps = { ...fx.actions, refreshSla: (id: Types.ObjectId) => refreshSla(fx.deps, id) };
});
afterAll(() => fx.db.drop());

/** A mail from `from`, a new conversation or (`inReplyTo`) a reply; returns the ingest result. */
async function mailFrom(from: string, opts: { messageId?: string; inReplyTo?: string; subject?: string } = {}) {
  n += 1;
  fx.clock.now = new Date(T0.getTime() + n * 60_000);
  const messageId = opts.messageId ?? `spam-${n}@sender.test`;
  const raw = rawMail({ from, messageId, date: fx.clock.now.toUTCString(), subject: opts.subject ?? `Question ${n}`, ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}), body: 'Hello, this is a message long enough to be read as written by a person.' });
  const result = await ingestEmail(fx.ingest, { inboxId: fx.inbox._id, raw, source: null });
  if (result.outcome !== 'ticketed' && result.outcome !== 'duplicate') throw new Error(`not ticketed: ${result.outcome}`);
  return { ticketId: result.ticketId, messageId, raw, result };
}
const acknowledgements = (messageDocId: Types.ObjectId) => [...(fx.scheduler.jobs.get(AUTO_REPLY_JOB)?.keys() ?? [])].filter((k) => k === messageDocId.toHexString());
const openingMessage = async (ticketId: Types.ObjectId) => (await fx.models.Message.findOne({ ticketId, direction: 'inbound' }).sort({ _id: 1 }).lean())!;
const listed = async (actor: Actor, filters: Record<string, string>) => (await listTickets(fx.deps, actor, { ...filters, limit: '100' })).items.map((t) => t.id);

describe('mark as spam and not spam', () => {
  it('moves the ticket to Spam: out of the lists, clocks stopped, its queued acknowledgement cancelled, the sender blocked, on the trail', async () => {
    const { ticketId } = await mailFrom('Mallory <mallory@spam.example>');
    const id = ticketId.toHexString();
    expect(acknowledgements((await openingMessage(ticketId))._id)).toHaveLength(1);
    expect((await fx.ticket(ticketId)).sla.nextDueAt).toBeInstanceOf(Date);
    // Its acknowledgement was already composed and waits in the outbox.
    const queued = await fx.models.Outbox.create({ kind: 'auto-reply', inboxId: fx.inbox._id, ticketId, messageId: `<ack-${id}@example.test>`, envelope: { from: '', to: ['mallory@spam.example'] }, raw: Buffer.from('x'), state: 'pending' });

    const state = await markTicketSpam(spamDeps, fx.agent, id, { block: 'sender' });
    expect(state.status).toBe('spam');
    const ticket = await fx.ticket(ticketId);
    expect(ticket.sla.nextDueAt).toBeNull();
    expect(ticket.spam).toMatchObject({ by: fx.gina._id, from: 'new', block: { kind: 'sender', value: 'mallory@spam.example' } });
    expect(await fx.models.Outbox.findById(queued._id).lean()).toMatchObject({ state: 'failed', lastError: { code: 'CANCELLED_SPAM' } });
    expect(await fx.models.SpamBlock.find({ inboxId: fx.inbox._id }).lean()).toEqual([expect.objectContaining({ kind: 'sender', value: 'mallory@spam.example', ticketId, by: fx.gina._id })]);
    const [entry] = await fx.trail(ticketId, 'marked_spam');
    expect(entry).toMatchObject({ actor: { kind: 'user', id: fx.gina._id }, data: { from: 'new', block: { kind: 'sender', value: 'mallory@spam.example' } } });

    // Out of every view and count but Spam, which lists it.
    for (const view of await countViews(fx.deps, fx.agent)) {
      const ids = await listed(fx.agent, view.filters);
      expect(view.count, view.name).toBe(ids.length);
      if (view.name === 'spam') expect(ids).toContain(id);
      else expect(ids, view.name).not.toContain(id);
    }
    expect(await listed(fx.agent, { status: 'spam' })).toContain(id);
    // Marking again changes nothing and records nothing more.
    await markTicketSpam(spamDeps, fx.agent, id, { block: 'sender' });
    expect(await fx.trail(ticketId, 'marked_spam')).toHaveLength(1);

    // Not spam: back to its status, clocks planned again, the sender unblocked, on the trail.
    const back = await markTicketNotSpam(spamDeps, fx.agent, id);
    expect(back.status).toBe('new');
    const restored = await fx.ticket(ticketId);
    expect(restored.spam).toBeNull();
    expect(restored.sla.nextDueAt).toBeInstanceOf(Date);
    expect(await fx.models.SpamBlock.countDocuments({ inboxId: fx.inbox._id })).toBe(0);
    expect((await fx.trail(ticketId, 'not_spam'))[0]).toMatchObject({ actor: { kind: 'user', id: fx.gina._id }, data: { to: 'new', unblocked: { kind: 'sender', value: 'mallory@spam.example' } } });
    expect(await listed(fx.agent, {})).toContain(id);
  });

  it('files a blocked sender’s new mail on a ticket straight in Spam: kept once, never acknowledged, nobody told; not spam lets their mail in again', async () => {
    const first = await mailFrom('Spammer <offers@junk.example>');
    await markTicketSpam(spamDeps, fx.agent, first.ticketId.toHexString(), { block: 'domain' });

    const next = await mailFrom('Other Spammer <deals@junk.example>');
    const ticket = await fx.ticket(next.ticketId);
    expect(ticket.status).toBe('spam');
    expect(ticket.spam).toMatchObject({ by: null, from: 'new', block: { kind: 'domain', value: 'junk.example' } });
    expect(ticket.sla.awaitingSince ?? null).toBeNull();
    expect(ticket.sla.nextDueAt ?? null).toBeNull();
    const opening = await openingMessage(next.ticketId);
    expect(acknowledgements(opening._id)).toEqual([]);
    expect(await fx.models.Notification.countDocuments({ ticketId: next.ticketId })).toBe(0);
    expect((await fx.trail(next.ticketId)).map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'marked_spam', 'message_received']));
    expect((await fx.trail(next.ticketId, 'marked_spam'))[0]).toMatchObject({ actor: { kind: 'system' }, data: { reason: 'blocked', block: { kind: 'domain', value: 'junk.example' } } });
    expect(await listed(fx.agent, {})).not.toContain(next.ticketId.toHexString());
    expect(await listed(fx.agent, { status: 'spam' })).toEqual(expect.arrayContaining([first.ticketId.toHexString(), next.ticketId.toHexString()]));

    // The same mail again is the same message on the same ticket (ingest stays idempotent).
    const again = await ingestEmail(fx.ingest, { inboxId: fx.inbox._id, raw: next.raw, source: null });
    expect(again).toMatchObject({ outcome: 'duplicate', ticketId: next.ticketId });
    expect(await fx.models.Message.countDocuments({ ticketId: next.ticketId })).toBe(1);

    // Not spam on the mail that came straight in: it comes back new and the domain is unblocked.
    await markTicketNotSpam(spamDeps, fx.agent, next.ticketId.toHexString());
    expect((await fx.ticket(next.ticketId)).status).toBe('new');
    expect(await fx.models.SpamBlock.countDocuments({ inboxId: fx.inbox._id, value: 'junk.example' })).toBe(0);
    const later = await mailFrom('Spammer <offers@junk.example>');
    expect((await fx.ticket(later.ticketId)).status).toBe('new');
    expect(acknowledgements((await openingMessage(later.ticketId))._id)).toHaveLength(1);
  });

  it('threads a blocked sender’s reply onto their ticket without reopening it or telling its assignee', async () => {
    const opened = await mailFrom('Eve <eve@pest.example>', { subject: 'My order' });
    const id = opened.ticketId.toHexString();
    const assigner: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [], teamIds: [] };
    await updateTicket(fx.actions, assigner, id, { assigneeId: fx.gina._id.toHexString(), status: 'solved' });
    // Before the block, her reply reopens the ticket and tells its assignee.
    const first = await mailFrom('Eve <eve@pest.example>', { inReplyTo: opened.messageId, subject: 'Re: My order' });
    expect((await fx.ticket(opened.ticketId)).status).toBe('open');
    await expect.poll(() => fx.models.Notification.countDocuments({ ticketId: opened.ticketId, kind: 'customer_replied' })).toBe(1);
    await updateTicket(fx.actions, assigner, id, { status: 'solved' });
    await fx.db.stores.spamBlocks.add(fx.inbox._id, { kind: 'sender', value: 'eve@pest.example' }, { ticketId: null, by: null });

    const reply = await mailFrom('Eve <eve@pest.example>', { inReplyTo: first.messageId, subject: 'Re: My order' });
    expect(reply.ticketId).toEqual(opened.ticketId);
    const ticket = await fx.ticket(opened.ticketId);
    expect(ticket.status).toBe('solved');
    expect(ticket.messageCount).toBe(3);
    expect(await fx.trail(opened.ticketId, 'reopened')).toHaveLength(1);
    expect((await fx.trail(opened.ticketId, 'message_received')).at(-1)).toMatchObject({ data: { blocked: { kind: 'sender', value: 'eve@pest.example' } } });
    expect(await fx.models.Notification.countDocuments({ ticketId: opened.ticketId, kind: 'customer_replied' })).toBe(1);
  });

  it('is for the members of the ticket’s inbox: another inbox’s agent gets NOT_FOUND, a team-only agent FORBIDDEN', async () => {
    const { ticketId } = await mailFrom('Someone <someone@elsewhere.example>');
    const id = ticketId.toHexString();
    const team = await fx.models.Team.create({ name: 'Level 2', level: 'L2', inboxIds: [fx.inbox._id], memberIds: [] });
    await updateTicket(fx.actions, fx.agent, id, { teamId: team._id.toHexString() });
    const outsider: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [new Types.ObjectId()], teamIds: [] };
    const teamOnly: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [], teamIds: [team._id] };

    expect((await appErrorFrom(markTicketSpam(spamDeps, outsider, id, { block: 'none' }))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(markTicketSpam(spamDeps, teamOnly, id, { block: 'none' }))).code).toBe('FORBIDDEN');
    expect(await listed(outsider, { status: 'spam' })).toEqual([]);
    expect((await fx.ticket(ticketId)).status).toBe('new');

    await markTicketSpam(spamDeps, fx.agent, id, { block: 'none' });
    expect((await appErrorFrom(markTicketNotSpam(spamDeps, outsider, id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(markTicketNotSpam(spamDeps, teamOnly, id))).code).toBe('FORBIDDEN');
    expect(await fx.models.SpamBlock.countDocuments({ ticketId })).toBe(0);
    // A spam ticket's status is left only through "not spam"; no patch sets `spam`.
    expect((await appErrorFrom(updateTicket(fx.actions, fx.agent, id, { status: 'open' }))).code).toBe('CONFLICT');
    const other = await mailFrom('Another <another@elsewhere.example>');
    expect(await invalidFields(updateTicket(fx.actions, fx.agent, other.ticketId.toHexString(), { status: 'spam' }))).toEqual(['status']);
  });

  it('refuses to block a public mail provider’s whole domain, and leaves the ticket as it was', async () => {
    const { ticketId } = await mailFrom('Gail <gail@gmail.com>');
    expect(await invalidFields(markTicketSpam(spamDeps, fx.agent, ticketId.toHexString(), { block: 'domain' }))).toEqual(['block']);
    expect(await invalidFields(markTicketSpam(spamDeps, fx.agent, ticketId.toHexString(), { block: 'everyone' }))).toEqual(['block']);
    expect((await fx.ticket(ticketId)).status).toBe('new');
    expect(await fx.models.SpamBlock.countDocuments({ value: 'gmail.com' })).toBe(0);
  });
});
