import type { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ourMessageId } from '../../../../src/domain/message-ids.js';
import { ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';

// Regression: "Automatic merges never cross inboxes". A mail to inbox A whose References named
// tickets of A and B merged B's ticket into A's, so A's agents read B's notes and mail.

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let inboxA: Types.ObjectId;
let inboxB: Types.ObjectId;
const A = 'support@example.test';
const B = 'sales@example.test';

beforeAll(async () => {
  fx = await ingestFixture('ingest_xinbox');
  inboxA = fx.inbox._id;
  inboxB = (await fx.models.Inbox.create({ name: 'Sales', address: B, imap: { host: 'h', port: 143 }, smtp: { host: 'h', port: 25 } }))._id;
});
afterAll(() => fx.db.drop());
// The subject fallback compares ticket activity (the mails' Date) with this clock.
beforeEach(() => void (fx.clock.now = new Date()));

const ingest = (raw: Buffer, inboxId: Types.ObjectId) => ingestEmail(fx.deps, { inboxId, raw, source: null });
const ticketOf = (r: IngestResult) => {
  if (!('ticketId' in r)) throw new Error(`expected a ticket, got ${JSON.stringify(r)}`);
  return r.ticketId;
};
const withTrace = (inbox: string, raw: Buffer) => Buffer.concat([Buffer.from(`Delivered-To: ${inbox}\r\nReceived: from mx by ${inbox.split('@')[0]}.example.test; ${new Date().toUTCString()}\r\n`), raw]);
const relatedOn = async (ticketId: Types.ObjectId) =>
  (await fx.models.TicketEvent.find({ ticketId, type: 'related' }).lean()).map((e) => String(e.data.ticketId));

async function noteOn(ticketId: Types.ObjectId, inboxId: Types.ObjectId, text: string) {
  await fx.models.Message.create({ ticketId, inboxId, direction: 'note', text });
}

describe('Message-ID links across inboxes', () => {
  it('a mail to A referencing tickets of A and B joins A’s ticket only; B keeps its mail and notes; both trails say related', async () => {
    const a = ticketOf(await ingest(rawMail({ messageId: 'x1-a@c.test', subject: 'Printer' }), inboxA));
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x1-b@c.test', subject: 'Quote' }), inboxB));
    await noteOn(b, inboxB, 'B only: they get 40% off');
    const r = await ingest(rawMail({ messageId: 'x1-ab@c.test', references: ['x1-a@c.test', 'x1-b@c.test'], subject: 'Re: both' }), inboxA);

    expect(ticketOf(r)).toEqual(a);
    const [ta, tb] = await Promise.all([fx.models.Ticket.findById(a).lean(), fx.models.Ticket.findById(b).lean()]);
    expect(tb).toMatchObject({ mergedIntoId: null, status: 'new', messageCount: 1, inboxId: inboxB });
    expect(ta).toMatchObject({ mergedIntoId: null, messageCount: 2, inboxId: inboxA });
    expect((await fx.models.Message.find({ ticketId: b }).lean()).map((m) => m.direction).sort()).toEqual(['inbound', 'note']);
    expect((await fx.models.Message.find({ ticketId: a }).lean()).map((m) => m.messageId).sort()).toEqual(['x1-a@c.test', 'x1-ab@c.test']);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: { $in: [a, b] }, type: 'merged' })).toBe(0);
    expect(await relatedOn(a)).toEqual([String(b)]);
    expect(await relatedOn(b)).toEqual([String(a)]);
    expect(ta!.linkedTicketIds.map(String)).toEqual([String(b)]);
    expect(tb!.linkedTicketIds.map(String)).toEqual([String(a)]);

    // A second mail of the same conversation joins again and records the relation once.
    const again = await ingest(rawMail({ messageId: 'x1-ab2@c.test', references: ['x1-a@c.test', 'x1-b@c.test', 'x1-ab@c.test'], subject: 'Re: both' }), inboxA);
    expect(ticketOf(again)).toEqual(a);
    expect(await relatedOn(a)).toEqual([String(b)]);
    expect(await relatedOn(b)).toEqual([String(a)]);
  });

  it('joins the receiving inbox’s ticket even when the other inbox’s ticket is older', async () => {
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x2-b@c.test', subject: 'Older in B' }), inboxB));
    const a = ticketOf(await ingest(rawMail({ messageId: 'x2-a@c.test', subject: 'Newer in A' }), inboxA));
    const r = await ingest(rawMail({ messageId: 'x2-ab@c.test', references: ['x2-b@c.test', 'x2-a@c.test'], subject: 'Re: x' }), inboxA);
    expect(ticketOf(r)).toEqual(a);
    expect((await fx.models.Ticket.findById(b).lean())).toMatchObject({ mergedIntoId: null, messageCount: 1 });
    expect((await fx.models.Ticket.findById(a).lean())).toMatchObject({ mergedIntoId: null, messageCount: 2 });
  });

  it('still merges two tickets of the receiving inbox that a mail proves to be one conversation', async () => {
    const a1 = ticketOf(await ingest(rawMail({ messageId: 'x3-a1@c.test', subject: 'One' }), inboxA));
    const a2 = ticketOf(await ingest(rawMail({ messageId: 'x3-a2@c.test', subject: 'Two' }), inboxA));
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x3-b@c.test', subject: 'Three' }), inboxB));
    const r = await ingest(rawMail({ messageId: 'x3-all@c.test', references: ['x3-a1@c.test', 'x3-a2@c.test', 'x3-b@c.test'], subject: 'Re: all' }), inboxA);
    expect(ticketOf(r)).toEqual(a1);
    expect((await fx.models.Ticket.findById(a2).lean())!.mergedIntoId).toEqual(a1);
    expect((await fx.models.Ticket.findById(b).lean())!.mergedIntoId).toBeNull();
    expect(await relatedOn(a1)).toEqual([String(b)]);
  });

  it('a mail to A whose only link is B’s ticket starts a new ticket in A, related to B', async () => {
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x4-b@c.test', subject: 'Contract' }), inboxB));
    await noteOn(b, inboxB, 'B only: margin notes');
    const r = await ingest(rawMail({ messageId: 'x4-a@c.test', inReplyTo: 'x4-b@c.test', subject: 'Re: Contract' }), inboxA);
    expect(r).toMatchObject({ outcome: 'ticketed', created: true });
    const a = ticketOf(r);
    expect(a).not.toEqual(b);
    expect(await fx.models.Ticket.findById(a).lean()).toMatchObject({ inboxId: inboxA, messageCount: 1 });
    expect(await fx.models.Ticket.findById(b).lean()).toMatchObject({ mergedIntoId: null, messageCount: 1 });
    expect(await fx.models.Message.countDocuments({ ticketId: b })).toBe(2);
    expect(await relatedOn(a)).toEqual([String(b)]);
    expect(await relatedOn(b)).toEqual([String(a)]);
    // The conversation goes on in each inbox on its own ticket.
    const next = await ingest(rawMail({ messageId: 'x4-a2@c.test', references: ['x4-b@c.test', 'x4-a@c.test'], subject: 'Re: Contract' }), inboxA);
    expect(ticketOf(next)).toEqual(a);
    expect((await fx.models.Ticket.findById(b).lean())!.mergedIntoId).toBeNull();
  });

  it('our signed Message-ID of B’s ticket does not file a mail to A into it', async () => {
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x5-b@c.test', subject: 'Delivery' }), inboxB));
    const { number } = (await fx.models.Ticket.findById(b).lean())!;
    const ours = ourMessageId(number, 'zz9', 'example.test', fx.deps.sign);
    const r = await ingest(rawMail({ messageId: 'x5-a@c.test', inReplyTo: ours, subject: 'Something else' }), inboxA);
    expect(r).toMatchObject({ outcome: 'ticketed', created: true });
    expect(ticketOf(r)).not.toEqual(b);
    expect(await fx.models.Ticket.findById(ticketOf(r)).lean()).toMatchObject({ inboxId: inboxA });
    expect(await relatedOn(b)).toEqual([String(ticketOf(r))]);
  });

  it('a subject token naming B’s ticket, even from its participant, does not file a mail to A into it', async () => {
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x6-b@c.test', subject: 'Warranty' }), inboxB));
    const { number } = (await fx.models.Ticket.findById(b).lean())!;
    const r = await ingest(rawMail({ messageId: 'x6-a@c.test', subject: `Re: Warranty [#${number}]` }), inboxA);
    expect(ticketOf(r)).not.toEqual(b);
    expect(await fx.models.Ticket.findById(ticketOf(r)).lean()).toMatchObject({ inboxId: inboxA });
    expect(await fx.models.Ticket.findById(b).lean()).toMatchObject({ messageCount: 1 });
    expect(await relatedOn(ticketOf(r))).toEqual([String(b)]);
    // From someone who takes no part in B's ticket, the token is not even a relation.
    const stranger = await ingest(rawMail({ from: 'mallory@evil.test', messageId: 'x6-m@evil.test', subject: `Re: Warranty [#${number}]` }), inboxA);
    expect(await relatedOn(ticketOf(stranger))).toEqual([]);
  });

  it('the subject fallback never joins a ticket of another inbox', async () => {
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x7-b@c.test', subject: 'Lost parcel 7' }), inboxB));
    const r = await ingest(rawMail({ messageId: 'x7-a@c.test', subject: 'Re: Lost parcel 7' }), inboxA);
    expect(ticketOf(r)).not.toEqual(b);
    expect(await fx.models.Ticket.findById(ticketOf(r)).lean()).toMatchObject({ inboxId: inboxA });
  });
});

describe('one mail sent to two of our addresses', () => {
  it('a new mail makes one ticket, in the inbox that ingests it first', async () => {
    const raw = rawMail({ messageId: 'x8@c.test', to: `${A}, ${B}`, subject: 'To both of you' });
    const first = await ingest(withTrace(B, raw), inboxB);
    const second = await ingest(withTrace(A, raw), inboxA);
    expect(first).toMatchObject({ outcome: 'ticketed', created: true });
    expect(second).toEqual({ outcome: 'duplicate', ticketId: ticketOf(first) });
    expect(await fx.models.Ticket.findById(ticketOf(first)).lean()).toMatchObject({ inboxId: inboxB, messageCount: 1 });
    const stored = await fx.models.Message.find({ messageId: 'x8@c.test' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.deliveredTo.map(String).sort()).toEqual([String(inboxA), String(inboxB)].sort());
  });

  it('a reply to A’s conversation, copied to B, joins A’s ticket whichever inbox ingests it first', async () => {
    const a = ticketOf(await ingest(rawMail({ messageId: 'x9-a@c.test', subject: 'Returns' }), inboxA));
    const raw = rawMail({ messageId: 'x9-r@c.test', to: A, cc: B, inReplyTo: 'x9-a@c.test', subject: 'Re: Returns' });
    expect(ticketOf(await ingest(withTrace(B, raw), inboxB))).toEqual(a);
    expect(await ingest(withTrace(A, raw), inboxA)).toEqual({ outcome: 'duplicate', ticketId: a });
    expect(await fx.models.Ticket.countDocuments({ inboxId: inboxB, subject: 'Re: Returns' })).toBe(0);
    expect(await fx.models.Ticket.findById(a).lean()).toMatchObject({ messageCount: 2 });
    expect(await relatedOn(a)).toEqual([]);
  });

  it('a mail to both that references tickets in both joins the oldest, merges nothing, and relates the other', async () => {
    const a = ticketOf(await ingest(rawMail({ messageId: 'x10-a@c.test', subject: 'Account' }), inboxA));
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x10-b@c.test', subject: 'Billing' }), inboxB));
    await noteOn(b, inboxB, 'B only: credit check failed');
    const raw = rawMail({ messageId: 'x10-ab@c.test', to: A, cc: B, references: ['x10-a@c.test', 'x10-b@c.test'], subject: 'Re: Account and billing' });
    // B polls first; A's copy of the same mail is then recognised as a duplicate.
    expect(ticketOf(await ingest(withTrace(B, raw), inboxB))).toEqual(a);
    expect(await ingest(withTrace(A, raw), inboxA)).toEqual({ outcome: 'duplicate', ticketId: a });
    expect(await fx.models.Message.countDocuments({ messageId: 'x10-ab@c.test' })).toBe(1);
    expect(await fx.models.Ticket.findById(b).lean()).toMatchObject({ mergedIntoId: null, messageCount: 1 });
    expect(await fx.models.Message.countDocuments({ ticketId: b })).toBe(2);
    expect(await relatedOn(a)).toEqual([String(b)]);
    expect(await relatedOn(b)).toEqual([String(a)]);
  });

  it('two pollers ingesting such a mail at once store it once, on one ticket, and merge nothing', async () => {
    const a = ticketOf(await ingest(rawMail({ messageId: 'x11-a@c.test', subject: 'Login' }), inboxA));
    const b = ticketOf(await ingest(rawMail({ to: B, messageId: 'x11-b@c.test', subject: 'Invoice' }), inboxB));
    const raw = rawMail({ messageId: 'x11-ab@c.test', to: `${A}, ${B}`, references: ['x11-a@c.test', 'x11-b@c.test'], subject: 'Re: Login and invoice' });
    // Separate deps objects make separate batches, as two poller processes would.
    const [ra, rb] = await Promise.all([
      ingestEmail({ ...fx.deps }, { inboxId: inboxA, raw: withTrace(A, raw), source: null }),
      ingestEmail({ ...fx.deps }, { inboxId: inboxB, raw: withTrace(B, raw), source: null }),
    ]);
    expect([ra.outcome, rb.outcome].sort()).toEqual(['duplicate', 'ticketed']);
    expect(ticketOf(ra)).toEqual(a);
    expect(ticketOf(rb)).toEqual(a);
    const stored = await fx.models.Message.find({ messageId: 'x11-ab@c.test' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.ticketId).toEqual(a);
    expect(await fx.models.Ticket.findById(b).lean()).toMatchObject({ mergedIntoId: null, messageCount: 1 });
    expect(await fx.models.Ticket.findById(a).lean()).toMatchObject({ messageCount: 2 });
    expect(await fx.models.Ticket.countDocuments({ originKey: stored[0]!.dedupeKey })).toBe(0);
  });
});
