import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Types } from 'mongoose';
import { getTicket } from '../../../../src/services/tickets/get-ticket.js';
import type { IngestFollowUp } from '../../../../src/services/ingest/ingest-email.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { buildTimeline } from '../../../../src/web/pages/timeline.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { readFixture } from '../../../helpers/mail-fixtures.js';
import { deliveryFailureReport } from '../../../helpers/mail.js';

const ADMIN = { userId: null, role: 'admin' as const, inboxIds: [] };

let fx: Awaited<ReturnType<typeof ingestFixture>>;
/** What ingest handed to its follow-up work (auto-reply, SLA timers). */
const followUps: IngestFollowUp[] = [];

beforeAll(async () => {
  fx = await ingestFixture('file_bounce');
  fx.deps.followUp = async (tickets) => void followUps.push(...tickets);
});
afterAll(() => fx.db.drop());

/** A ticket we answered with `ourId`, waiting on the customer (or solved), as send-reply leaves it. */
async function answeredTicket(number: number, ourId: string, status: 'pending' | 'solved', customer: string) {
  const since = new Date('2026-11-02T10:00:00Z');
  const ticket = await fx.models.Ticket.create({
    number, inboxId: fx.inbox._id, subject: `Invoice ${number}`, requester: { email: customer }, status, messageCount: 2,
    lastActivityAt: since, sla: { firstRespondedAt: since, awaitingSince: null }, ...(status === 'solved' ? { solvedAt: since } : {}),
  });
  await fx.models.Message.create([
    { ticketId: ticket._id, inboxId: fx.inbox._id, direction: 'inbound', messageId: `q${number}@customer.test`, from: { address: customer }, subject: `Invoice ${number}`, text: 'Wrong invoice', createdAt: since },
    { ticketId: ticket._id, inboxId: fx.inbox._id, direction: 'outbound', messageId: ourId, from: { address: 'support@example.test' }, to: [{ address: customer }], subject: `Re: Invoice ${number}`, text: 'Fixed.', createdAt: since },
  ]);
  return ticket._id;
}

async function trailText(ticketId: Types.ObjectId): Promise<string[]> {
  const view = await getTicket(fx.stores, ADMIN, ticketId.toHexString());
  return buildTimeline(view, new Map(), new Map()).flatMap((e) => (e.kind === 'event' ? [e.text] : []));
}

describe('an out-of-office reply to one of our mails was shown as a bounce', () => {
  it.each([
    ['Exchange "Automatic reply:"', 'hostile/out-of-office-filed-as-bounce-exchange.eml', 'tl.7.65f0c0ffee0000000000a007.3b9d2e71aa@example.test', 7001, 'pending', 'dana.lindqvist@kunde.example'],
    ['French "Réponse automatique :"', 'hostile/out-of-office-filed-as-bounce-french-reponse-automatique.eml', 'tl.8.65f0c0ffee0000000000a008.5c1e0b94d2@example.test', 7002, 'solved', 'celine.moreau@client.example'],
  ] as const)('%s is filed on its ticket as an automatic reply, changing nothing else', async (_label, fixture, ourId, number, status, customer) => {
    const ticketId = await answeredTicket(number, ourId, status, customer);
    const before = (await fx.models.Ticket.findById(ticketId).lean())!;

    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: readFixture(fixture), source: null });
    expect(result).toEqual({ outcome: 'auto-reply', ticketId });

    const after = (await fx.models.Ticket.findById(ticketId).lean())!;
    expect(after.status).toBe(status);
    expect(after.sla).toEqual(before.sla);
    expect(after.lastActivityAt).toEqual(before.lastActivityAt);
    expect(after.messageCount).toBe(before.messageCount);
    const events = await fx.models.TicketEvent.find({ ticketId }).lean();
    expect(events.map((e) => e.type)).toEqual(['auto_reply_received']);
    expect(events[0]!.data).toMatchObject({ from: customer });
    expect(followUps.filter((s) => s.ticketId.equals(ticketId))).toEqual([]);
    expect(await fx.models.Outbox.countDocuments({ ticketId })).toBe(0);
    expect((await fx.models.Contact.findOne({ email: customer }).lean())?.bounce?.bouncing ?? false).toBe(false);

    const stored = await fx.models.Message.findOne({ ticketId, direction: 'inbound', 'flags.autoSubmitted': true }).lean();
    expect(stored!.flags).toMatchObject({ autoReply: true, bounce: false });
    const view = await getTicket(fx.stores, ADMIN, ticketId.toHexString());
    expect(view.messages.at(-1)!.flags).toMatchObject({ autoReply: true, bounce: false });
    const trail = await trailText(ticketId);
    expect(trail).toEqual([expect.stringMatching(/^An automatic reply \(out of office or similar\) arrived from /)]);
    expect(trail.join('\n')).not.toMatch(/delivery|failure|bounce/i);

    // Filing it again (a re-sync) changes nothing.
    expect(await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: readFixture(fixture), source: null })).toMatchObject({ outcome: 'duplicate' });
    expect(await fx.models.TicketEvent.countDocuments({ ticketId })).toBe(1);
  });

  it('a real delivery report to one of our mails is still a bounce', async () => {
    const ourId = 'tl.9.65f0c0ffee0000000000a009.77aa0c1e3d@example.test';
    const ticketId = await answeredTicket(7003, ourId, 'pending', 'gone@customer.test');
    const dsn = deliveryFailureReport({ messageId: 'dsn.7003@mx.example.test', originalMessageId: ourId, date: 'Tue, 03 Nov 2026 10:05:00 +0000' });
    expect(await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: dsn, source: null })).toEqual({ outcome: 'bounce', ticketId });
    expect((await fx.models.TicketEvent.find({ ticketId }).lean()).map((e) => e.type)).toEqual(['bounce_received']);
    expect(await trailText(ticketId)).toEqual(['A delivery failure report arrived']);
    expect((await fx.models.Contact.findOne({ email: 'gone@customer.test' }).lean())!.bounce.bouncing).toBe(true);
  });
});
