import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

let h: Awaited<ReturnType<typeof startSendingApp>>;
let agent: Client;
const inbox = new Types.ObjectId();
let number = 500;

/** A ticket with one customer message, stored with the given Message-ID and sender, who is its requester. */
async function ticketWith(message: { messageId: string; from: string }) {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId: inbox, subject: `Case ${number}`, requester: { email: message.from }, status: 'open' });
  await h.models.Message.create({
    ticketId: t._id, inboxId: inbox, direction: 'inbound', messageId: message.messageId, references: [message.messageId],
    from: { address: message.from, name: 'Ivo' }, subject: t.subject, text: 'Invoice 2291 is wrong.',
  });
  return t._id.toHexString();
}

async function reply(id: string, text: string) {
  const page = await agent.get(`/tickets/${id}`);
  return agent.post(`/tickets/${id}/reply`, { _csrf: Client.csrf(page.text), text, status: 'pending' });
}

beforeAll(async () => {
  h = await startSendingApp('pages_reply_errors');
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  await createUser(h.models, { email: 'agnes@example.test', name: 'Agnes', password: 'agnes password 123', inboxIds: [inbox] });
  agent = new Client(h.base);
  await agent.login('agnes@example.test', 'agnes password 123');
});
afterAll(() => h.close());

describe('reply form: a Message-ID the composer refused (<abc@def@x>) made the ticket unanswerable', () => {
  it('queues the reply, leaving that id out of In-Reply-To and References', async () => {
    const id = await ticketWith({ messageId: 'abc@def@x', from: 'ivo@customer.test' });
    const res = await reply(id, 'We corrected the invoice.');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${id}#end`);
    const queued = await h.models.Outbox.find({ ticketId: new Types.ObjectId(id) }).lean();
    expect(queued).toHaveLength(1);
    const raw = Buffer.from(queued[0]!.raw.buffer).toString('latin1');
    expect(raw).not.toMatch(/^(?:In-Reply-To|References):/im);
    expect(raw).not.toContain('abc@def@x');
  });

  it('says why a reply with text was refused, instead of "A reply needs some text"', async () => {
    const id = await ticketWith({ messageId: 'fine.1@customer.test', from: 'ivo@customer@test' });
    const res = await reply(id, 'We corrected the invoice.');
    expect(res.headers.get('location')).toBe(`/tickets/${id}?error=reply-unsendable#reply`);
    const page = await agent.get(res.headers.get('location')!);
    expect(page.text).not.toContain('A reply needs some text');
    expect(page.text).toContain('an address of this conversation is malformed');
    expect(await h.models.Outbox.countDocuments({ ticketId: new Types.ObjectId(id) })).toBe(0);
  });

  it('still calls a reply without text empty', async () => {
    const id = await ticketWith({ messageId: 'fine.2@customer.test', from: 'ivo@customer.test' });
    const res = await reply(id, '   ');
    expect(res.headers.get('location')).toBe(`/tickets/${id}?error=reply-empty#reply`);
    expect((await agent.get(res.headers.get('location')!)).text).toContain('A reply needs some text');
  });
});
