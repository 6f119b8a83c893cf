import { randomUUID } from 'node:crypto';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/jobs/scheduler.js';
import type { JobScheduler } from '../../../src/services/ports.js';
import { ingestEmail } from '../../../src/services/ingest/ingest-email.js';
import { sendAutoReply } from '../../../src/services/auto-reply/send-auto-reply.js';
import { replyToTicket } from '../../../src/services/tickets/send-reply.js';
import { mergeTickets, refreshTicketStats } from '../../../src/store/ticket-writes.js';
import { autoReplyDeps, customerMail } from '../../helpers/auto-reply.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { compose } from '../../helpers/use-case-deps.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let scheduler: JobScheduler;
const agent = new Types.ObjectId();

beforeAll(async () => {
  fx = await ingestFixture('ticket_writes');
  // Nobody processes these jobs: delivery plays no part in counting.
  const agenda = new Agenda({ backend: new MongoBackend({ mongo: fx.db.connection.db!, collection: 'jobs' }) });
  await agenda.ready;
  scheduler = createScheduler(agenda, fx.db.connection.db!.collection('jobs'));
});
afterAll(() => fx.db.drop());

const messageCount = async (ticketId: Types.ObjectId) => (await fx.models.Ticket.findById(ticketId, { messageCount: 1 }).lean())!.messageCount;

async function ingest(raw: Buffer, deps = fx.deps) {
  fx.clock.now = new Date();
  return ingestEmail(deps, { inboxId: fx.inbox._id, raw, source: null });
}

/** A new customer's mail opens a ticket, and it gets its auto-reply, queued and stored in the conversation. */
async function ticketWithAutoReply(subject: string) {
  const customer = `c-${randomUUID().slice(0, 8)}@customer.test`;
  const messageId = `${randomUUID()}@customer.test`;
  const result = await ingest(customerMail({ from: customer, messageId, subject }));
  expect(result).toMatchObject({ outcome: 'ticketed', created: true });
  const { ticketId, messageDocId } = result as { ticketId: Types.ObjectId; messageDocId: Types.ObjectId };
  expect(await sendAutoReply(autoReplyDeps(fx, scheduler), messageDocId)).toBe('queued');
  const autoReply = await fx.models.Message.findOne({ ticketId, direction: 'outbound' }).lean();
  expect(autoReply!.flags).toMatchObject({ autoSubmitted: true });
  return { customer, messageId, ticketId };
}

describe("a ticket's message count: customer mail and agent replies, not the auto-replies we send", () => {
  it('regression: recounting a ticket that got an auto-reply gives the count the normal path keeps', async () => {
    const { ticketId } = await ticketWithAutoReply('Printer is on fire');
    expect(await messageCount(ticketId)).toBe(1);
    await replyToTicket({ ...fx.stores, scheduler, compose, sign: fx.deps.sign, now: () => new Date() }, { userId: agent, role: 'admin', inboxIds: [] }, ticketId.toHexString(), { form: { text: 'We are sending a technician.' } });
    const normalPath = await messageCount(ticketId);
    expect(normalPath).toBe(2);

    await refreshTicketStats(fx.models, ticketId);
    expect(await messageCount(ticketId)).toBe(normalPath);
  });

  it('regression: an ingest interrupted after storing a customer follow-up, resumed on a ticket with an auto-reply, counts the auto-reply no more than the normal path', async () => {
    const { customer, messageId, ticketId } = await ticketWithAutoReply('Scanner jams');
    const followUp = customerMail({ from: customer, messageId: `${randomUUID()}@customer.test`, subject: 'Re: Scanner jams', inReplyTo: messageId, references: [messageId] });
    const crashing = { ...fx.deps, onStep: (step: string) => { if (step === 'stored') throw new Error('simulated crash'); } };
    await expect(ingest(followUp, crashing)).rejects.toThrow('simulated crash');
    expect(await fx.models.Message.countDocuments({ ticketId, direction: 'inbound', ingestState: 'stored' })).toBe(1);

    // The poller fetches the mail again: the stored message is found and its ingest resumed (a recount).
    expect(await ingest(followUp)).toMatchObject({ outcome: 'ticketed', ticketId, created: false });
    expect(await fx.models.Message.countDocuments({ ticketId, direction: 'inbound' })).toBe(2);
    expect(await messageCount(ticketId)).toBe(2);
  });

  it('regression: merging tickets that got auto-replies counts their customer mail only', async () => {
    const into = await ticketWithAutoReply('VPN is down');
    const from = await ticketWithAutoReply('Cannot log in to the VPN');
    const normalPath = (await messageCount(into.ticketId)) + (await messageCount(from.ticketId));
    expect(normalPath).toBe(2);

    await mergeTickets(fx.models, { intoId: into.ticketId, fromId: from.ticketId, at: new Date(), reason: 'same problem' });
    expect(await messageCount(into.ticketId)).toBe(normalPath);
  });
});
