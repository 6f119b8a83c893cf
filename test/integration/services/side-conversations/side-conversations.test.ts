import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { sideConversationOfMessageId } from '../../../../src/domain/side-conversations.js';
import type { Actor } from '../../../../src/services/access.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { createPartner } from '../../../../src/services/partners/partners.js';
import { listSideConversations } from '../../../../src/services/side-conversations/list-side-conversations.js';
import { replySideConversation } from '../../../../src/services/side-conversations/reply-side-conversation.js';
import { startSideConversation, type StartSideConversationDeps } from '../../../../src/services/side-conversations/start-side-conversation.js';
import { replyToTicket } from '../../../../src/services/tickets/send-reply.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

/** A Date header a little ahead: ingest takes it as "now", so answers sort after the mail they answer (the header has whole seconds). */
const later = () => new Date(Date.now() + 60_000).toUTCString();
const labels = { heading: '--- Message ---', from: 'From:', date: 'Date:', subject: 'Subject:' };
let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: StartSideConversationDeps;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };

/** A customer mail with a PDF attached. */
function mailWithAttachment(messageId: string): Buffer {
  const lines = [
    'From: Ann Customer <ann@customer.test>', 'To: support@example.test', 'Subject: Invoice 42 is wrong', `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'The total on invoice 42 is twice what I ordered.', '',
    '--b1', 'Content-Type: application/pdf; name="invoice-42.pdf"', 'Content-Disposition: attachment; filename="invoice-42.pdf"', 'Content-Transfer-Encoding: base64', '',
    Buffer.from('%PDF-1.4 invoice forty-two').toString('base64'), '--b1--', '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

const outboxRaw = async (id: Types.ObjectId) => {
  const item = await fx.models.Outbox.findById(id).lean();
  const raw = item!.raw as unknown as Buffer | { buffer: Uint8Array };
  return parseMail(Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer), { maxBytes: 10 * 1024 * 1024 });
};

beforeAll(async () => {
  fx = await ingestFixture('side_conversations');
  // Received and sent mail are ordered by when they were stored: one real clock for both.
  fx.deps.now = () => new Date();
  deps = { ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now, blobs: fx.deps.blobs };
});
afterAll(() => fx.db.drop());

describe('a side conversation with a partner', () => {
  let ticketId: Types.ObjectId;
  let customerMessageId: Types.ObjectId;
  let sideId: string;
  let sentMessageId: string;

  it('sends the agent’s words, the selected message quoted and the selected attachment, and the ticket waits on the partner', async () => {
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: mailWithAttachment('inv42@customer.test'), source: null });
    ticketId = (result as { ticketId: Types.ObjectId }).ticketId;
    const customer = (await fx.models.Message.findOne({ ticketId, direction: 'inbound' }).lean())!;
    customerMessageId = customer._id;
    const partner = await createPartner(fx.stores, admin, { name: 'Billing Co', address: 'Desk@Billing.test', note: 'Invoices' });
    expect(partner.address).toBe('desk@billing.test');

    const request = { partnerId: partner.id, text: 'Could you check invoice 42?', messageIds: [customer._id.toHexString()], attachmentIds: [customer.attachments[0]!.fileId.toHexString()], requestKey: 'k1' };
    const sc = await startSideConversation(deps, admin, ticketId.toHexString(), { json: request }, labels);
    sideId = sc.id;
    expect(sc).toMatchObject({ kind: 'partner', partnerName: 'Billing Co', to: ['desk@billing.test'], awaiting: true });
    expect(sc.messages).toHaveLength(1);

    const item = (await fx.models.Outbox.findOne({ ticketId, kind: 'side-conversation' }).lean())!;
    sentMessageId = item.messageId;
    expect(sideConversationOfMessageId(item.messageId, fx.deps.sign)?.sideConversationId).toBe(sc.id);
    const mail = await outboxRaw(item._id);
    expect(mail.to.map((a) => a.address)).toEqual(['desk@billing.test']);
    expect(mail.from?.address).toBe('support@example.test');
    expect(mail.subject).toMatch(/^Invoice 42 is wrong \[#\d+\]$/);
    expect(mail.inReplyTo).toEqual([]);
    expect(mail.references).toEqual([]);
    expect(mail.text).toContain('Could you check invoice 42?');
    expect(mail.text).toContain('> The total on invoice 42 is twice what I ordered.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['invoice-42.pdf']);

    const ticket = (await fx.models.Ticket.findById(ticketId).lean())!;
    expect(ticket.status).toBe('with_partner');
    expect(ticket.participants).not.toContain('desk@billing.test');
    const trail = await fx.models.TicketEvent.find({ ticketId }).lean();
    expect(trail.map((e) => e.type)).toEqual(expect.arrayContaining(['side_message_sent', 'status_changed']));
  });

  it('opens one side conversation and sends one mail per request key', async () => {
    const again = await startSideConversation(deps, admin, ticketId.toHexString(), { json: { partnerId: (await fx.models.Partner.findOne().lean())!._id.toHexString(), text: 'Could you check invoice 42?', requestKey: 'k1' } }, labels);
    expect(again.id).toBe(sideId);
    expect(await fx.models.Outbox.countDocuments({ ticketId, kind: 'side-conversation' })).toBe(1);
  });

  it('keeps its mail out of the customer’s conversation', async () => {
    const conversation = await fx.stores.messages.listConversation([ticketId]);
    expect(conversation.map((m) => m._id.toHexString())).toEqual([customerMessageId.toHexString()]);
    const forReply = await fx.stores.messages.listMailForReply([ticketId]);
    expect(forReply.some((m) => m.messageId === sentMessageId)).toBe(false);
  });

  it('files the partner’s answer in the side conversation: agents only, ticket open again, nothing for the customer', async () => {
    const before = (await fx.models.Ticket.findById(ticketId).lean())!;
    const answer = rawMail({ from: 'Billing Desk <desk@billing.test>', subject: `Re: Invoice 42 is wrong [#${before.number}]`, messageId: 'answer1@billing.test', date: later(), inReplyTo: sentMessageId, references: [sentMessageId], body: 'Our mistake, a credit note follows.' });
    const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: answer, source: null });
    expect(result).toMatchObject({ outcome: 'ticketed', ticketId, created: false });

    const stored = (await fx.models.Message.findOne({ messageId: 'answer1@billing.test' }).lean())!;
    expect(stored.sideConversationId?.toHexString()).toBe(sideId);
    const after = (await fx.models.Ticket.findById(ticketId).lean())!;
    expect(after.status).toBe('open');
    expect(after.messageCount).toBe(before.messageCount);
    expect(after.participants).not.toContain('desk@billing.test');
    const types = (await fx.models.TicketEvent.find({ ticketId }).lean()).map((e) => e.type);
    expect(types).toContain('side_message_received');
    expect(types).not.toContain('reopened');
    expect(await fx.models.Outbox.countDocuments({ 'envelope.to': 'desk@billing.test', kind: { $ne: 'side-conversation' } })).toBe(0);

    const [sc] = await listSideConversations(fx.stores, admin, ticketId.toHexString());
    expect(sc!.awaiting).toBe(false);
    expect(sc!.messages.map((m) => [m.direction, m.text.trim().split('\n')[0]])).toEqual([['outbound', 'Could you check invoice 42?'], ['inbound', 'Our mistake, a credit note follows.']]);
  });

  it('never quotes, answers or copies the partner in a reply to the customer', async () => {
    const reply = await replyToTicket({ ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now }, admin, ticketId.toHexString(), { form: { text: 'A credit note is on its way.' } });
    expect(reply.recipients.to.map((a) => a.address)).toEqual(['ann@customer.test']);
    expect(reply.recipients.cc).toEqual([]);
    const mail = await outboxRaw(reply._id);
    expect(mail.inReplyTo).toEqual(['inv42@customer.test']);
    expect(mail.references.join(' ')).not.toMatch(/billing|answer1/);
  });

  it('files a token-only answer of a participant there too (a client that dropped References)', async () => {
    const ticket = (await fx.models.Ticket.findById(ticketId).lean())!;
    const raw = rawMail({ from: 'desk@billing.test', subject: `Re: Invoice 42 is wrong [#${ticket.number}]`, messageId: 'answer2@billing.test', date: later(), body: 'Credit note attached.' });
    await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
    expect((await fx.models.Message.findOne({ messageId: 'answer2@billing.test' }).lean())!.sideConversationId?.toHexString()).toBe(sideId);
    // A stranger using the token is no participant of anything: a ticket of their own.
    const stranger = rawMail({ from: 'eve@elsewhere.test', subject: `Re: Invoice 42 is wrong [#${ticket.number}]`, messageId: 'eve1@elsewhere.test' });
    const outcome = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: stranger, source: null });
    expect(outcome).toMatchObject({ outcome: 'ticketed', created: true });
  });

  it('files a mail answering only the partner’s own answer there too (a client that names just its parent)', async () => {
    const raw = rawMail({ from: 'colleague@billing.test', subject: 'Re: Re: Invoice 42 is wrong', messageId: 'answer1b@billing.test', date: later(), inReplyTo: 'answer1@billing.test', body: 'Adding a detail.' });
    await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
    const stored = (await fx.models.Message.findOne({ messageId: 'answer1b@billing.test' }).lean())!;
    expect(stored.ticketId.equals(ticketId)).toBe(true);
    expect(stored.sideConversationId?.toHexString()).toBe(sideId);
    expect((await fx.stores.messages.listConversation([ticketId])).some((m) => m.messageId === 'answer1b@billing.test')).toBe(false);
  });

  it('answers within the side conversation, threaded to its own mail only', async () => {
    const sc = await replySideConversation(deps, admin, ticketId.toHexString(), sideId, { json: { text: 'Thanks, received.' } });
    expect(sc.awaiting).toBe(true);
    const items = await fx.models.Outbox.find({ ticketId, kind: 'side-conversation' }).sort({ createdAt: 1, _id: 1 }).lean();
    expect(items).toHaveLength(2);
    const mail = await outboxRaw(items[1]!._id);
    expect(mail.to.map((a) => a.address)).toEqual(['desk@billing.test']);
    expect(mail.inReplyTo).toEqual(['answer1b@billing.test']);
    expect(mail.references).toEqual([sentMessageId, 'answer1@billing.test', 'answer2@billing.test', 'answer1b@billing.test']);
    expect((await fx.models.Ticket.findById(ticketId).lean())!.status).toBe('with_partner');
  });

  it('forwards to any address, and refuses a side conversation naming mail of another ticket', async () => {
    const sc = await startSideConversation(deps, admin, ticketId.toHexString(), { json: { address: 'Expert@Outside.test', text: 'FYI' } }, labels);
    expect(sc).toMatchObject({ kind: 'forward', partnerId: null, to: ['expert@outside.test'] });
    const other = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw: rawMail({ from: 'bob@customer.test', subject: 'Another thing' }), source: null });
    const otherMessage = (await fx.models.Message.findOne({ ticketId: (other as { ticketId: Types.ObjectId }).ticketId }).lean())!;
    await expect(startSideConversation(deps, admin, ticketId.toHexString(), { json: { address: 'x@outside.test', text: 'FYI', messageIds: [otherMessage._id.toHexString()] } }, labels)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(startSideConversation(deps, admin, ticketId.toHexString(), { json: { address: 'x@outside.test', partnerId: sc.id, text: 'FYI' } }, labels)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
