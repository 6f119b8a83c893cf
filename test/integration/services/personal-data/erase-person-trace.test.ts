import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteAttribution } from '../../../../src/mail/quote-attribution.js';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { sanitizeEmailHtml } from '../../../../src/mail/sanitize-html.js';
import { notificationDedupeKey } from '../../../../src/domain/notification-mail.js';
import type { Actor } from '../../../../src/services/access.js';
import { sendAutoReply } from '../../../../src/services/auto-reply/send-auto-reply.js';
import { ingestEmail } from '../../../../src/services/ingest/ingest-email.js';
import { quarantineMail } from '../../../../src/services/ingest/quarantine-mail.js';
import { erasePerson, resumeErasures, type ErasePersonDeps } from '../../../../src/services/personal-data/erase-person.js';
import { previewErasure } from '../../../../src/services/personal-data/preview-erasure.js';
import { replyToTicket, type SendReplyDeps } from '../../../../src/services/tickets/send-reply.js';
import { autoReplyDeps } from '../../../helpers/auto-reply.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';
import { traces } from './trace-scan.js';

/*
 * THE TRACE TEST: a person with a unique name, address and word writes (with an attachment holding
 * the word), is answered by an agent quoting them and by an auto-reply; once erased, no collection of
 * the database (GridFS chunks included) and no ticket's search terms hold any trace of them, and the
 * ticket counts, statuses, times and metrics are what they were.
 */

const NAME = 'Zephyrine Quaglioni';
const ADDRESS = 'Zephyrine.Quaglioni@trace-person.test';
const WORD = 'xylofrumptious';
const OTHER = 'Bob Keeper <bob@other.test>';
const NEEDLES = ['zephyrine', 'quaglioni', ADDRESS.toLowerCase(), WORD, 'trace-person'];
const WORDS = [WORD, 'zephyrine', 'quaglioni'];

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let replyDeps: SendReplyDeps;
let deps: ErasePersonDeps;
const adminId = new Types.ObjectId();
const admin: Actor = { userId: adminId, role: 'admin', inboxIds: [] };

/** A customer mail with a text part and an attachment that holds the unique word too. */
function mailWithAttachment(messageId: string): Buffer {
  const attachment = Buffer.from(`Invoice notes: ${WORD} ${WORD}\n`).toString('base64');
  return Buffer.from(
    [
      `From: ${NAME} <${ADDRESS}>`,
      'To: support@example.test',
      `Subject: My ${WORD} printer`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${messageId}>`,
      `Return-Path: <${ADDRESS}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Hello, the ${WORD} machine is broken. Regards, ${NAME}`,
      '--XX',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--XX--',
      '',
    ].join('\r\n'),
  );
}

/** What reports read of the tickets: kept exactly by an erasure. */
async function reportFacts() {
  const tickets = await fx.models.Ticket.find({}, { number: 1, status: 1, createdAt: 1, messageCount: 1, metrics: 1, sla: 1, lastActivityAt: 1, solvedAt: 1, closedAt: 1 }).sort({ number: 1 }).lean();
  const events = await fx.models.TicketEvent.find({}, { ticketId: 1, type: 1, at: 1 }).sort({ _id: 1 }).lean();
  const messages = await fx.models.Message.find({}, { ticketId: 1, direction: 1, createdAt: 1, date: 1 }).sort({ _id: 1 }).lean();
  return JSON.stringify({ tickets, events, messages, count: tickets.length });
}

beforeAll(async () => {
  fx = await ingestFixture('erase_trace');
  replyDeps = {
    ...fx.stores, scheduler: noJobs, compose, sign: fx.deps.sign, now: fx.deps.now,
    render: renderEmail, sanitizeHtml: (html) => sanitizeEmailHtml(html).html, quoteAttribution, localeDefaults: { timeZone: 'Europe/Paris' },
  };
  deps = { ...fx.stores, now: () => new Date() };
});
afterAll(async () => {
  await fx.db.drop();
});

async function ingest(raw: Buffer) {
  const result = await ingestEmail(fx.deps, { inboxId: fx.inbox._id, raw, source: null });
  expect(result.outcome).toBe('ticketed');
  return result as { ticketId: Types.ObjectId; messageDocId: Types.ObjectId };
}

describe('erasing a person leaves no trace of them anywhere, and keeps the counts', () => {
  it('scans every collection, GridFS chunks and the search terms after the erasure', async () => {
    fx.clock.now = new Date();
    const first = await ingest(mailWithAttachment(`first-${Date.now()}@mail.test`));
    // The inbox's auto-reply answers them, then the agent, quoting the person's mail.
    await sendAutoReply(autoReplyDeps(fx, noJobs), first.messageDocId);
    expect(await fx.models.Outbox.countDocuments({ kind: 'auto-reply', ticketId: first.ticketId }), JSON.stringify(await fx.models.TicketEvent.find({ ticketId: first.ticketId }).lean())).toBe(1);
    const reply = await replyToTicket(replyDeps, admin, first.ticketId.toHexString(), { form: { text: 'We are on it.' } });
    expect(reply.raw.toString('latin1').replace(/=\r?\n/g, '')).toContain(WORD);
    // A second mail of theirs in the thread, and someone else's ticket that copies them.
    await ingest(rawMail({ from: `${NAME} <${ADDRESS}>`, subject: `Re: My ${WORD} printer`, body: `Still ${WORD}.`, inReplyTo: reply.messageId, references: [reply.messageId], messageId: `second-${Date.now()}@mail.test` }));
    const other = await ingest(rawMail({ from: OTHER, cc: `${NAME} <${ADDRESS}>`, subject: 'Shared printer', body: 'Our printer is fine, thanks.', messageId: `bob-${Date.now()}@other.test` }));
    // A third person's ticket where an agent sends them only a blind copy (as typed: mixed case): no
    // participant, yet the person's; found by address, its copy of the address erased.
    const carol = await ingest(rawMail({ from: 'Carol Other <carol@other.test>', subject: 'Toner order', body: 'Please order toner.', messageId: `carol-${Date.now()}@other.test` }));
    await replyToTicket(replyDeps, admin, carol.ticketId.toHexString(), { json: { text: 'Ordered.', bcc: [ADDRESS] } });
    expect((await fx.models.Ticket.findById(carol.ticketId).lean())!.participants).not.toContain(ADDRESS.toLowerCase());
    // What other features keep of them: a rating with a comment (and its trail entry), an agent's
    // notification with an excerpt, a note naming them, a draft quoting them, a quarantined mail.
    const now = new Date();
    await fx.models.SatisfactionRating.create({ ticketId: first.ticketId, inboxId: fx.inbox._id, email: ADDRESS.toLowerCase(), askedAt: now, solvedAt: now, rating: 'bad', comment: `So ${WORD}`, ratedAt: now });
    await fx.stores.trail.record({ ticketId: first.ticketId, type: 'satisfaction_rated', actor: { kind: 'contact', label: null }, at: now, data: { rating: 'bad', comment: `So ${WORD}`, changed: false } });
    await fx.models.Notification.create({ userId: adminId, kind: 'assigned', key: `n:${Date.now()}`, ticketId: first.ticketId, ticketNumber: 1, ticketSubject: `My ${WORD} printer`, inboxId: fx.inbox._id, at: now, data: { customer: NAME, excerpt: `the ${WORD} machine` }, mailBatch: 'batch-1', mail: 'sent' });
    await fx.models.Outbox.create({ kind: 'notification', inboxId: fx.inbox._id, ticketId: null, messageId: `n-${Date.now()}@example.test`, subject: `[#1] My ${WORD} printer`, envelope: { from: '', to: ['agent@example.test'] }, raw: Buffer.from(`Subject: x\r\n\r\n${NAME} wrote: the ${WORD} machine`), state: 'sent', dedupeKey: notificationDedupeKey('batch-1') });
    await fx.models.Message.create({ ticketId: other.ticketId, inboxId: fx.inbox._id, direction: 'note', text: `Called ${NAME} (${ADDRESS}) about it.`, authorId: adminId });
    await fx.models.ReplyDraft.create({ userId: adminId, ticketId: first.ticketId, text: `> ${WORD}`, cc: [ADDRESS], updatedAt: now });
    await quarantineMail({ quarantine: fx.stores.quarantine, blobs: fx.deps.blobs, now: () => now }, {
      inboxId: fx.inbox._id, raw: Buffer.from(`From: ${NAME} <${ADDRESS}>\r\nSubject: ${WORD}\r\n\r\nbroken`), contentHash: `h-${Date.now()}`, reason: 'unparseable', detail: '', source: null,
    });
    await fx.models.SpamBlock.create({ inboxId: fx.inbox._id, kind: 'sender', value: ADDRESS.toLowerCase(), ticketId: null, by: null });

    const db = fx.db.connection.db!;
    expect((await traces(db, NEEDLES, WORDS)).length).toBeGreaterThan(10);
    expect(await db.collection('blobs.chunks').countDocuments()).toBeGreaterThan(0);
    const before = await reportFacts();
    const contact = (await fx.models.Contact.findOne({ email: ADDRESS.toLowerCase() }).lean())!;
    const preview = await previewErasure(deps, admin, contact._id.toHexString());
    expect(preview.counts).toMatchObject({ tickets: 3, messages: 5, attachments: 1, ratings: 1, quarantine: 1, contacts: 1 });

    // A typo does not erase, nor does a missing confirmation.
    await expect(erasePerson(deps, admin, contact._id.toHexString(), { confirmAddress: 'someone@else.test', confirm: true })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(erasePerson(deps, admin, contact._id.toHexString(), { confirmAddress: ADDRESS })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(erasePerson(deps, { ...admin, role: 'manager' }, contact._id.toHexString(), { confirmAddress: ADDRESS, confirm: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // A crash mid-way: the record is kept, and the resume finishes the job.
    let crash = true;
    const crashing = { ...deps, onStep: (step: string) => { if (crash && step === 'trail') throw new Error('simulated crash'); } };
    await expect(erasePerson(crashing, admin, contact._id.toHexString(), { confirmAddress: ADDRESS.toUpperCase(), confirm: true })).rejects.toThrow('simulated crash');
    expect((await fx.models.PersonErasure.findOne({ contactId: contact._id }).lean())!.state).toBe('running');
    crash = false;
    expect(await resumeErasures(deps)).toBe(1);

    expect(await traces(db, NEEDLES, WORDS)).toEqual([]);
    expect(await reportFacts()).toBe(before);
    // Their files are gone from GridFS; the record keeps counts only; the access log says who and how much.
    // Only Carol's own mail, which never named them, is still in GridFS.
    const carolsRaw = (await fx.models.Message.findOne({ ticketId: carol.ticketId, direction: 'inbound' }).lean())!.raw!.fileId;
    expect((await db.collection('blobs.files').find().toArray()).map((f) => String(f._id))).toEqual([String(carolsRaw)]);
    const record = (await fx.models.PersonErasure.findOne({ contactId: contact._id }).lean())!;
    expect(record).toMatchObject({ state: 'done', addresses: [], names: [] });
    const logged = await fx.models.AccessLog.find({ action: 'person_erased' }).lean();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.detail).toBe('tickets=3 messages=5 attachments=1 outbox=3 ratings=1 quarantine=1 contacts=1');
    // Someone else's ticket keeps their words; only the person's address is replaced.
    const bobs = (await fx.models.Message.findOne({ ticketId: other.ticketId }).lean())!;
    expect(bobs.text).toContain('Our printer is fine');
    expect(bobs.cc[0]!.address).toBe(`erased-${contact._id.toHexString()}@invalid`);
    expect(await fx.models.Message.findOne({ ticketId: other.ticketId, direction: 'note' }).lean()).toMatchObject({ text: 'Called [erased] ([erased]) about it.' });
    expect(await fx.models.SatisfactionRating.findOne({ ticketId: first.ticketId }).lean()).toMatchObject({ rating: 'bad', comment: null });
    // Asking again returns what was done, and changes nothing.
    const again = await erasePerson(deps, admin, contact._id.toHexString(), {});
    expect(again.state).toBe('done');
    expect(await fx.models.AccessLog.countDocuments({ action: 'person_erased' })).toBe(1);
  });
});
