import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketNumberFromMessageId } from '../../../../src/domain/message-ids.js';
import { parseMail } from '../../../../src/mail/parse-mail.js';
import { DELIVER_JOB, queueMail, type QueueMailDeps, type QueueMailInput } from '../../../../src/services/outbound/queue-mail.js';
import type { JobScheduler } from '../../../../src/services/ports.js';
import type { InboxDoc } from '../../../../src/store/models/inbox.js';
import { createSigner } from '../../../../src/store/secret-box.js';
import { openTestDb } from '../../../helpers/db.js';
import { TEST_SECRET_KEY } from '../../../helpers/inbox.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let inbox: InboxDoc;
const sign = createSigner(TEST_SECRET_KEY);
const now = new Date();
let number = 0;

beforeAll(async () => {
  db = await openTestDb('queue_mail');
  inbox = (await db.models.Inbox.create({ name: 'Support', displayName: 'Acme Support', address: 'help@queue.example.test', imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } })).toObject();
});
afterAll(() => db.drop());

/** A scheduler that notes every job it is asked to schedule. */
function recordingScheduler(): JobScheduler & { scheduled: Array<{ name: string; key?: string }> } {
  const scheduled: Array<{ name: string; key?: string }> = [];
  return { ...noJobs, scheduled, schedule: async (name, opts) => void scheduled.push({ name, ...(opts.key ? { key: opts.key } : {}) }) };
}
const deps = (scheduler: JobScheduler = recordingScheduler()): QueueMailDeps => ({ ...db.stores, scheduler, compose, sign, now: () => now });

async function ticket() {
  number += 1;
  return db.models.Ticket.create({ number, inboxId: inbox._id, subject: 'Printer', requester: { email: 'ann@customer.test', name: 'Ann' } });
}
/** An agent's reply on a ticket, as the reply use case queues it; `extra` changes any part. */
function replyInput(t: { _id: Types.ObjectId; number: number }, extra: Partial<QueueMailInput> = {}): QueueMailInput {
  return {
    kind: 'agent-reply',
    inbox,
    ticket: { _id: t._id, number: t.number },
    dedupeKey: `reply:${t._id.toHexString()}`,
    to: [{ address: 'ann@customer.test', name: 'Ann' }],
    cc: [{ address: 'boss@customer.test', name: null }],
    subject: `Re: Printer [#${t.number}]`,
    text: 'Have you tried turning it off and on again?\n\n-- Acme',
    html: '<p>Have you tried turning it off and on again?</p><footer>Acme</footer>',
    inReplyTo: 'question.1@customer.test',
    references: ['root.1@customer.test', 'question.1@customer.test'],
    envelopeFrom: inbox.address,
    storeAsMessage: true,
    storedText: 'Have you tried turning it off and on again?',
    storedHtml: '<p>Have you tried turning it off and on again?</p>',
    authorId: new Types.ObjectId(),
    ...extra,
  };
}
const conversationCopies = (messageId: string) => db.models.Message.find({ messageId, direction: 'outbound' }).lean();
const bytes = (raw: Buffer | { buffer: Uint8Array }) => (Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer));

describe('queueMail', () => {
  it('writes the composed mail to the outbox as pending, with a Message-ID of the inbox’s domain that names the ticket', async () => {
    const t = await ticket();
    const item = await queueMail(deps(), replyInput(t));
    expect(item).toMatchObject({ kind: 'agent-reply', state: 'pending', attempts: 0, inboxId: inbox._id, ticketId: t._id, subject: `Re: Printer [#${t.number}]` });
    expect(item.envelope).toEqual({ from: 'help@queue.example.test', to: ['ann@customer.test', 'boss@customer.test'] });
    expect(item.messageId).toMatch(/@queue\.example\.test$/);
    expect(ticketNumberFromMessageId(item.messageId, sign)).toBe(t.number);

    const mail = await parseMail(bytes(item.raw), { maxBytes: 1e6 });
    expect(mail).toMatchObject({
      messageId: item.messageId,
      subject: `Re: Printer [#${t.number}]`,
      from: { address: 'help@queue.example.test', name: 'Acme Support' },
      inReplyTo: ['question.1@customer.test'],
      references: ['root.1@customer.test', 'question.1@customer.test'],
    });
    expect(mail.to.map((a) => a.address)).toEqual(['ann@customer.test']);
    expect(mail.cc.map((a) => a.address)).toEqual(['boss@customer.test']);
    expect(mail.text).toContain('-- Acme');
  });

  it('schedules the delivery of the mail, keyed by the outbox item', async () => {
    const scheduler = recordingScheduler();
    const item = await queueMail(deps(scheduler), replyInput(await ticket()));
    expect(scheduler.scheduled).toEqual([{ name: DELIVER_JOB, key: item._id.toHexString() }]);
  });

  it('adds customer-facing mail to the conversation as pending, showing the agent’s words rather than the email layout', async () => {
    const t = await ticket();
    const input = replyInput(t);
    const item = await queueMail(deps(), input);
    const copies = await conversationCopies(item.messageId);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({
      ticketId: t._id,
      inboxId: inbox._id,
      subject: item.subject,
      from: { address: 'help@queue.example.test', name: 'Acme Support' },
      text: input.storedText,
      html: input.storedHtml,
      authorId: input.authorId,
      inReplyTo: 'question.1@customer.test',
      delivery: { state: 'pending' },
      flags: { autoSubmitted: false },
    });
    expect(copies[0]!.threadKeys).toEqual(expect.arrayContaining([item.messageId.toLowerCase(), 'root.1@customer.test', 'question.1@customer.test']));
  });

  it('stores the mail’s own text when no other is given, and marks automated mail (an auto-reply, from the null sender) as auto-submitted', async () => {
    const t = await ticket();
    const item = await queueMail(deps(), replyInput(t, { kind: 'auto-reply', dedupeKey: `auto:${t.id}`, envelopeFrom: '', storedText: undefined, storedHtml: undefined }));
    expect(item.envelope.from).toBe('');
    expect((await conversationCopies(item.messageId))[0]).toMatchObject({ text: replyInput(t).text, html: replyInput(t).html, flags: { autoSubmitted: true } });
  });

  it('keeps notifications to agents out of the conversation, but delivers them', async () => {
    const t = await ticket();
    const scheduler = recordingScheduler();
    const reminder = await queueMail(deps(scheduler), replyInput(t, { kind: 'sla-reminder', dedupeKey: `sla:${t.id}`, to: [{ address: 'agent@acme.test', name: null }], cc: [], storeAsMessage: false }));
    const digest = await queueMail(deps(scheduler), replyInput(t, { kind: 'digest', ticket: null, dedupeKey: null, to: [{ address: 'manager@acme.test', name: null }], cc: [] }));
    expect(await conversationCopies(reminder.messageId)).toEqual([]);
    expect(await conversationCopies(digest.messageId)).toEqual([]);
    expect(digest.ticketId).toBeNull();
    expect(scheduler.scheduled.map((s) => s.key)).toEqual([reminder._id.toHexString(), digest._id.toHexString()]);
  });
});

describe('queueMail with a dedupe key', () => {
  it('queues one mail however often it is called, adds it to the conversation once, and only ever schedules that one', async () => {
    const t = await ticket();
    const scheduler = recordingScheduler();
    const items = [];
    for (let i = 0; i < 3; i++) items.push(await queueMail(deps(scheduler), replyInput(t, { text: `Attempt ${i}` })));
    expect(new Set(items.map((i) => i._id.toHexString())).size).toBe(1);
    expect(await db.models.Outbox.countDocuments({ dedupeKey: `reply:${t.id}` })).toBe(1);
    expect(await conversationCopies(items[0]!.messageId)).toHaveLength(1);
    expect((await parseMail(bytes(items[2]!.raw), { maxBytes: 1e6 })).text).toContain('Attempt 0');
    expect(new Set(scheduler.scheduled.map((s) => `${s.name}/${s.key}`))).toEqual(new Set([`${DELIVER_JOB}/${items[0]!._id.toHexString()}`]));
  });

  it('queues one mail when called many times at once', async () => {
    const t = await ticket();
    const scheduler = recordingScheduler();
    const items = await Promise.all(Array.from({ length: 10 }, (_, i) => queueMail(deps(scheduler), replyInput(t, { text: `Racer ${i}` }))));
    expect(new Set(items.map((i) => i.messageId)).size).toBe(1);
    expect(await db.models.Outbox.countDocuments({ ticketId: t._id })).toBe(1);
    expect(await conversationCopies(items[0]!.messageId)).toHaveLength(1);
    expect(new Set(scheduler.scheduled.map((s) => s.key))).toEqual(new Set([items[0]!._id.toHexString()]));
  });

  it('does not schedule delivery again once the mail is settled', async () => {
    const t = await ticket();
    const first = await queueMail(deps(), replyInput(t));
    await db.models.Outbox.updateOne({ _id: first._id }, { $set: { state: 'sent', sentAt: now } });
    const scheduler = recordingScheduler();
    expect(await queueMail(deps(scheduler), replyInput(t))).toMatchObject({ _id: first._id, state: 'sent' });
    expect(scheduler.scheduled).toEqual([]);
  });

  it('without a key, queues a mail of its own on every call', async () => {
    const t = await ticket();
    const a = await queueMail(deps(), replyInput(t, { dedupeKey: null }));
    const b = await queueMail(deps(), replyInput(t, { dedupeKey: null }));
    expect(a.messageId).not.toBe(b.messageId);
    expect(await db.models.Outbox.countDocuments({ ticketId: t._id })).toBe(2);
    expect(await db.models.Message.countDocuments({ ticketId: t._id, direction: 'outbound' })).toBe(2);
  });
});
