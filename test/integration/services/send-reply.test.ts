import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import type { JobScheduler } from '../../../src/jobs/scheduler.js';
import { parseMail } from '../../../src/mail/parse-mail.js';
import { ingestEmail } from '../../../src/services/ingest-email.js';
import { sendReply, type SendReplyDeps } from '../../../src/services/send-reply.js';
import { ingestFixture } from '../../helpers/ingest.js';
import { readFixture } from '../../helpers/mail-fixtures.js';

const LIMIT = { maxBytes: 10 * 1024 * 1024 };
/** RFC 5322 §3.6.4 msg-id lists as our composer writes them: bracketed, one `@` each, space-separated. */
const ID_LIST = /^<[^<>@\s]+@[^<>@\s]+>(?: <[^<>@\s]+@[^<>@\s]+>)*$/;

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: SendReplyDeps;
const agent = new Types.ObjectId();

beforeAll(async () => {
  fx = await ingestFixture('send_reply');
  const scheduler: JobScheduler = {
    schedule: async () => {},
    cancel: async () => {},
    cancelMatching: async () => {},
    replaceMatching: async () => {},
    scheduleRecurring: async () => {},
  };
  deps = { models: fx.models, scheduler, sign: fx.deps.sign, now: fx.deps.now };
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

describe('sendReply to a mail whose Message-ID the composer cannot write (<abc@def@x>)', () => {
  it('ingest keeps no id it could not send back, and the reply is queued with valid threading headers', async () => {
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: readFixture('hostile/message-id-with-two-at-signs-made-ticket-unanswerable.eml'), source: null });
    expect(result.outcome).toBe('ticketed');
    const ticketId = (result as { ticketId: Types.ObjectId }).ticketId;
    const stored = await fx.models.Message.findOne({ ticketId, direction: 'inbound' }).lean();
    expect(stored!.messageId ?? null).toBeNull();
    expect(stored!.references).toEqual(['root.4711@customer.test']);

    const item = await sendReply(deps, { ticketId, authorId: agent, text: 'We corrected the invoice.' });
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

    const item = await sendReply(deps, { ticketId: ticket._id, authorId: agent, text: 'Fixed now.' });
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
    const headers = await queuedHeaders((await sendReply(deps, { ticketId: ticket._id, authorId: agent, text: 'Hi' })).raw);
    expect(headers.inReplyTo).toBe('<fine.3@customer.test>');
    expect(headers.references).toBe('<fine.3@customer.test>');
  });
});
