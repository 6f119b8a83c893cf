import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import type { Actor } from '../../../../src/services/access.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { readFixture } from '../../../helpers/mail-fixtures.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };
/** RFC 5322 §3.6.4 msg-id lists as our composer writes them: bracketed, one `@` each, space-separated. */
const ID_LIST = /^<[^<>@\s]+@[^<>@\s]+>(?: <[^<>@\s]+@[^<>@\s]+>)*$/;

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: SendReplyDeps;
const agent: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

beforeAll(async () => {
  fx = await ingestFixture('send_reply');
  const scheduler = noJobs;
  deps = { ...fx.stores, scheduler, compose, sign: fx.deps.sign, now: fx.deps.now };
});
afterAll(() => fx.db.drop());

/** The reply's own header lines and what they parse back to. */
async function queuedHeaders(stored: Buffer | { buffer: Uint8Array }) {
  // A lean outbox document holds its bytes as a BSON Binary.
  const raw = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer);
  const text = raw.toString('latin1');
  const block = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(block)?.[1] ?? null;
  return { inReplyTo: field('In-Reply-To'), references: field('References'), mail: await parseMail(raw, LIMIT) };
}

describe('replyToTicket to a mail whose Message-ID the composer cannot write (<abc@def@x>)', () => {
  it('ingest keeps no id it could not send back, and the reply is queued with valid threading headers', async () => {
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: readFixture('hostile/message-id-with-two-at-signs-made-ticket-unanswerable.eml'), source: null });
    expect(result.outcome).toBe('ticketed');
    const ticketId = (result as { ticketId: Types.ObjectId }).ticketId;
    const stored = await fx.models.Message.findOne({ ticketId, direction: 'inbound' }).lean();
    expect(stored!.messageId ?? null).toBeNull();
    expect(stored!.references).toEqual(['root.4711@customer.test']);

    const item = await replyToTicket(deps, agent, ticketId.toHexString(), { form: { text: 'We corrected the invoice.' } });
    expect(item.state).toBe('pending');
    const headers = await queuedHeaders(item.raw);
    expect(headers.inReplyTo).toBeNull();
    expect(headers.references).toBe('<root.4711@customer.test>');
    expect(headers.mail.references).toEqual(['root.4711@customer.test']);
    expect(headers.mail.to.map((a) => a.address)).toEqual(['ivo@customer.test']);
  });

  it('drops such ids stored before the rule from In-Reply-To and References instead of failing the reply', async () => {
    const ticket = await fx.models.Ticket.create({ number: 90_001, inboxId: fx.inbox._id, subject: 'Old mail', requester: { email: 'ivo@customer.test' }, status: 'open' });
    await fx.models.Message.create({
      ticketId: ticket._id,
      inboxId: fx.inbox._id,
      direction: 'inbound',
      messageId: 'abc@def@x',
      inReplyTo: 'abc@def@x',
      references: ['root.1@customer.test', 'abc@def@x', 'mid.2@customer.test'],
      from: { address: 'ivo@customer.test', name: 'Ivo' },
      subject: 'Old mail',
      text: 'Still wrong.',
    });

    const item = await replyToTicket(deps, agent, ticket._id.toHexString(), { form: { text: 'Fixed now.' } });
    const headers = await queuedHeaders(item.raw);
    expect(headers.inReplyTo).toBeNull();
    expect(headers.references).toMatch(ID_LIST);
    expect(headers.mail.references).toEqual(['root.1@customer.test', 'mid.2@customer.test']);
    expect(await fx.models.Outbox.countDocuments({ ticketId: ticket._id })).toBe(1);
    expect((await fx.models.Message.findOne({ messageId: item.messageId }).lean())!.references).toEqual(['root.1@customer.test', 'mid.2@customer.test']);
  });

  it('still answers In-Reply-To with a parent id that is valid', async () => {
    const ticket = await fx.models.Ticket.create({ number: 90_002, inboxId: fx.inbox._id, subject: 'Fine mail', requester: { email: 'ivo@customer.test' }, status: 'open' });
    await fx.models.Message.create({
      ticketId: ticket._id,
      inboxId: fx.inbox._id,
      direction: 'inbound',
      messageId: 'fine.3@customer.test',
      references: ['abc@def@x'],
      from: { address: 'ivo@customer.test' },
      subject: 'Fine mail',
      text: 'Hello',
    });
    const headers = await queuedHeaders((await replyToTicket(deps, agent, ticket._id.toHexString(), { form: { text: 'Hi' } })).raw);
    expect(headers.inReplyTo).toBe('<fine.3@customer.test>');
    expect(headers.references).toBe('<fine.3@customer.test>');
  });
});

describe('replyToTicket: who may reply, and what it does to the status', () => {
  async function openTicket(number: number, over: Record<string, unknown> = {}) {
    const ticket = await fx.models.Ticket.create({ number, inboxId: fx.inbox._id, subject: 'Printer', requester: { email: 'ivo@customer.test' }, status: 'open', ...over });
    await fx.models.Message.create({ ticketId: ticket._id, inboxId: fx.inbox._id, direction: 'inbound', messageId: `p.${number}@customer.test`, from: { address: 'ivo@customer.test' }, subject: 'Printer', text: 'It jams.' });
    return ticket;
  }

  it("refuses an agent of another inbox as if the ticket did not exist, and queues or changes nothing (regression: replies checked no access)", async () => {
    const ticket = await openTicket(90_010);
    const outsider: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [new Types.ObjectId()] };
    await expect(replyToTicket(deps, outsider, ticket._id.toHexString(), { form: { text: 'Not mine to answer.' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(replyToTicket(deps, outsider, ticket._id.toHexString(), { json: { text: 'Not mine to answer.' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await fx.models.Outbox.countDocuments({ ticketId: ticket._id })).toBe(0);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: ticket._id })).toBe(0);
    expect((await fx.models.Ticket.findById(ticket._id).lean())!).toMatchObject({ status: 'open', messageCount: 0 });

    const member: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [fx.inbox._id] };
    await replyToTicket(deps, member, ticket._id.toHexString(), { form: { text: 'On it.' } });
    expect(await fx.models.Outbox.countDocuments({ ticketId: ticket._id })).toBe(1);
  });

  it('judges an API body only after the access check, and refuses the operator, who is no user', async () => {
    const ticket = await openTicket(90_011);
    const outsider: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
    await expect(replyToTicket(deps, outsider, ticket._id.toHexString(), { json: { bogus: true } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(replyToTicket(deps, agent, ticket._id.toHexString(), { json: { bogus: true } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(replyToTicket(deps, { userId: null, role: 'admin', inboxIds: [] }, ticket._id.toHexString(), { form: { text: 'Hi' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('regression: a reply that moves a closed ticket on clears solvedAt and closedAt, as every other status change does', async () => {
    const solvedAt = new Date('2026-01-02T10:00:00Z');
    const closedAt = new Date('2026-01-03T10:00:00Z');
    const ticket = await openTicket(90_012, { status: 'closed', solvedAt, closedAt });
    await replyToTicket(deps, agent, ticket._id.toHexString(), { form: { text: 'Reopening this for you.', status: 'pending' } });
    expect((await fx.models.Ticket.findById(ticket._id).lean())!).toMatchObject({ status: 'pending', solvedAt: null, closedAt: null });

    await replyToTicket(deps, agent, ticket._id.toHexString(), { form: { text: 'Done.', status: 'solved' } });
    const solved = (await fx.models.Ticket.findById(ticket._id).lean())!;
    expect(solved).toMatchObject({ status: 'solved', closedAt: null });
    expect(solved.solvedAt).toBeInstanceOf(Date);
    expect(await fx.models.TicketEvent.find({ ticketId: ticket._id, type: 'status_changed' }).sort({ at: 1, _id: 1 }).lean().then((es) => es.map((e) => e.data))).toEqual([
      { from: 'closed', to: 'pending' },
      { from: 'pending', to: 'solved' },
    ]);
  });
});
