import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Types } from 'mongoose';
import { ourMessageId } from '../../../../src/domain/message-ids.js';
import { ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { deliveryFailureReport, rawMail } from '../../../helpers/mail.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
beforeAll(async () => {
  fx = await ingestFixture('ingest');
});
afterAll(() => fx.db.drop());

const ingest = (raw: Buffer, inboxId: Types.ObjectId = fx.inbox._id) => ingestEmail(fx.deps, { inboxId, raw, source: null });
const ticketOf = (r: IngestResult) => {
  if (!('ticketId' in r)) throw new Error(`expected a ticket, got ${JSON.stringify(r)}`);
  return r.ticketId;
};

describe('ingestEmail', () => {
  it('turns a new mail into a ticket with its message and trail, and a second copy into nothing', async () => {
    const raw = rawMail({ messageId: 'first@customer.test', subject: 'Cannot log in' });
    const first = await ingest(raw);
    expect(first).toMatchObject({ outcome: 'ticketed', created: true });
    const ticket = await fx.models.Ticket.findById(ticketOf(first)).lean();
    expect(ticket).toMatchObject({ subject: 'Cannot log in', status: 'new', messageCount: 1, requester: { email: 'ann@customer.test', name: 'Ann Customer' } });
    expect(ticket!.number).toBeGreaterThan(0);
    expect(ticket!.participants).toEqual(['ann@customer.test']);
    const again = await ingest(raw);
    expect(again).toEqual({ outcome: 'duplicate', ticketId: ticketOf(first) });
    expect(await fx.models.Message.countDocuments({ ticketId: ticketOf(first) })).toBe(1);
    const trail = await fx.models.TicketEvent.find({ ticketId: ticketOf(first) }).lean();
    expect(trail.map((e) => e.type).sort()).toEqual(['created', 'message_received']);
  });

  it('stores one mail sent to two of our addresses once, as one ticket', async () => {
    const second = await fx.models.Inbox.create({ name: 'Sales', address: 'sales@example.test', imap: { host: 'h', port: 143 }, smtp: { host: 'h', port: 25 } });
    // One mail, so one Date header for both copies (built twice, the two could straddle a second).
    const body = { messageId: 'both@customer.test', to: 'support@example.test, sales@example.test', subject: 'To both', date: new Date().toUTCString() };
    const a = await ingest(Buffer.concat([Buffer.from('Delivered-To: support@example.test\r\nReceived: from a by b; Fri, 20 Nov 2026 10:00:01 +0000\r\n'), rawMail(body)]));
    const b = await ingest(Buffer.concat([Buffer.from('Delivered-To: sales@example.test\r\nReceived: from a by c; Fri, 20 Nov 2026 10:00:02 +0000\r\n'), rawMail(body)]), second._id);
    expect(b).toEqual({ outcome: 'duplicate', ticketId: ticketOf(a) });
    const msg = await fx.models.Message.findOne({ messageId: 'both@customer.test' }).lean();
    expect(msg!.deliveredTo.map(String).sort()).toEqual([String(fx.inbox._id), String(second._id)].sort());
    expect((await fx.models.Ticket.findById(ticketOf(a)).lean())!.participants).toEqual(['ann@customer.test']);
  });

  it('keeps two different mails that reuse one Message-ID apart', async () => {
    const a = await ingest(rawMail({ messageId: 'reused@broken.test', body: 'one' }));
    const b = await ingest(rawMail({ messageId: 'reused@broken.test', body: 'two' }));
    expect(b.outcome).toBe('ticketed');
    expect(ticketOf(b)).toEqual(ticketOf(a)); // same id: the second one threads onto the first
    expect(await fx.models.Message.countDocuments({ messageId: 'reused@broken.test' })).toBe(2);
  });

  it('threads a reply by In-Reply-To and by References, and a reply to our own mail', async () => {
    const root = ticketOf(await ingest(rawMail({ messageId: 'root@customer.test', subject: 'Refund' })));
    expect(ticketOf(await ingest(rawMail({ messageId: 'r1@customer.test', inReplyTo: 'root@customer.test', subject: 'Re: Refund' })))).toEqual(root);
    expect(ticketOf(await ingest(rawMail({ messageId: 'r2@customer.test', references: ['root@customer.test', 'r1@customer.test'], subject: 'Re: Refund' })))).toEqual(root);
    const ticket = await fx.models.Ticket.findById(root).lean();
    const ours = ourMessageId(ticket!.number, 'abc', 'example.test', fx.deps.sign);
    // The customer's client dropped References and our copy was never stored: the signed id still names the ticket.
    expect(ticketOf(await ingest(rawMail({ messageId: 'r3@customer.test', inReplyTo: ours, subject: 'Something else' })))).toEqual(root);
    expect((await fx.models.Ticket.findById(root).lean())!.messageCount).toBe(4);
  });

  it('accepts a subject token only from a participant', async () => {
    const t = ticketOf(await ingest(rawMail({ messageId: 'tok@customer.test', subject: 'VPN down' })));
    const { number } = (await fx.models.Ticket.findById(t).lean())!;
    expect(ticketOf(await ingest(rawMail({ messageId: 'tok2@customer.test', subject: `Re: VPN down [#${number}]` })))).toEqual(t);
    const hijack = await ingest(rawMail({ from: 'mallory@evil.test', messageId: 'tok3@evil.test', subject: `Re: VPN down [#${number}]` }));
    expect(ticketOf(hijack)).not.toEqual(t);
  });

  it('never merges two requesters on subject alone', async () => {
    const a = ticketOf(await ingest(rawMail({ from: 'x@one.test', messageId: 's1@one.test', subject: 'Invoice question' })));
    const b = ticketOf(await ingest(rawMail({ from: 'y@two.test', messageId: 's2@two.test', subject: 'Re: Invoice question' })));
    expect(b).not.toEqual(a);
    const c = ticketOf(await ingest(rawMail({ from: 'x@one.test', messageId: 's3@one.test', subject: 'Re: Invoice question' })));
    expect(c).toEqual(a);
  });

  it('never files a reply naming an unseen parent into the sender’s same-subject ticket (shuffled arrival mis-threaded it)', async () => {
    const first = ticketOf(await ingest(rawMail({ from: 'kim@one.test', messageId: 'inv-a1@one.test', subject: 'Invoice' })));
    // A reply in another conversation of Kim's, arriving before its parent: its id names the parent.
    const early = ticketOf(await ingest(rawMail({ from: 'kim@one.test', messageId: 'inv-b2@one.test', inReplyTo: 'inv-b1@one.test', subject: 'Re: Invoice' })));
    expect(early).not.toEqual(first);
    const parent = ticketOf(await ingest(rawMail({ from: 'kim@one.test', messageId: 'inv-b1@one.test', subject: 'Invoice' })));
    expect(parent).toEqual(early);
    expect((await fx.models.Ticket.findById(first).lean())!.messageCount).toBe(1);
  });

  it('joins a parent that arrives after its reply, and siblings of a parent never seen', async () => {
    const child = ticketOf(await ingest(rawMail({ messageId: 'late-child@c.test', inReplyTo: 'late-parent@c.test', subject: 'Re: Order' })));
    const parent = ticketOf(await ingest(rawMail({ messageId: 'late-parent@c.test', subject: 'Order' })));
    expect(parent).toEqual(child);
    const s1 = ticketOf(await ingest(rawMail({ messageId: 'sib1@c.test', references: ['missing@c.test'], subject: 'Re: Gone' })));
    const s2 = ticketOf(await ingest(rawMail({ from: 'zed@other.test', messageId: 'sib2@c.test', references: ['missing@c.test'], subject: 'Re: Gone' })));
    expect(s2).toEqual(s1);
  });

  it('merges two tickets when a message proves they are one conversation, on both trails', async () => {
    const a = ticketOf(await ingest(rawMail({ messageId: 'm-a@c.test', subject: 'Part A' })));
    const b = ticketOf(await ingest(rawMail({ from: 'bob@c.test', messageId: 'm-b@c.test', subject: 'Part B' })));
    expect(b).not.toEqual(a);
    const joined = ticketOf(await ingest(rawMail({ messageId: 'm-ab@c.test', references: ['m-a@c.test', 'm-b@c.test'], subject: 'Re: both' })));
    expect(joined).toEqual(a);
    const [ta, tb] = await Promise.all([fx.models.Ticket.findById(a).lean(), fx.models.Ticket.findById(b).lean()]);
    expect(tb).toMatchObject({ mergedIntoId: a, status: 'closed' });
    expect(ta!.messageCount).toBe(3);
    expect(ta!.participants.sort()).toEqual(['ann@customer.test', 'bob@c.test']);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: a, type: 'merged' })).toBe(1);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: b, type: 'merged' })).toBe(1);
    // A later reply to B's message lands in the surviving ticket.
    expect(ticketOf(await ingest(rawMail({ from: 'bob@c.test', messageId: 'm-b2@c.test', inReplyTo: 'm-b@c.test', subject: 'Re: Part B' })))).toEqual(a);
  });

  it('reopens a solved ticket, and opens a linked new one for a ticket closed long ago', async () => {
    const t = ticketOf(await ingest(rawMail({ messageId: 'solve@c.test', subject: 'Solved soon' })));
    await fx.models.Ticket.updateOne({ _id: t }, { status: 'solved', solvedAt: fx.clock.now });
    await ingest(rawMail({ messageId: 'solve2@c.test', inReplyTo: 'solve@c.test', subject: 'Re: Solved soon' }));
    expect((await fx.models.Ticket.findById(t).lean())!.status).toBe('open');
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: t, type: 'reopened' })).toBe(1);

    await fx.models.Ticket.updateOne({ _id: t }, { status: 'closed', closedAt: new Date(fx.clock.now.getTime() - 30 * 86400_000) });
    const follow = ticketOf(await ingest(rawMail({ messageId: 'solve3@c.test', inReplyTo: 'solve2@c.test', subject: 'Re: Solved soon' })));
    expect(follow).not.toEqual(t);
    expect((await fx.models.Ticket.findById(follow).lean())!.linkedTicketIds.map(String)).toEqual([String(t)]);
    expect((await fx.models.Ticket.findById(t).lean())!.linkedTicketIds.map(String)).toEqual([String(follow)]);
  });

  it('does not reopen a solved ticket for an out-of-office answer', async () => {
    const t = ticketOf(await ingest(rawMail({ messageId: 'oof@c.test', subject: 'Thanks' })));
    await fx.models.Ticket.updateOne({ _id: t }, { status: 'solved' });
    const r = await ingest(rawMail({ messageId: 'oof2@c.test', inReplyTo: 'oof@c.test', subject: 'Auto: Re: Thanks', headers: ['Auto-Submitted: auto-replied'] }));
    expect(ticketOf(r)).toEqual(t);
    expect((await fx.models.Ticket.findById(t).lean())!.status).toBe('solved');
    expect((await fx.models.Message.findOne({ messageId: 'oof2@c.test' }).lean())!.flags).toMatchObject({ autoSubmitted: true, autoSubmittedReason: expect.stringContaining('auto-submitted') });
  });

  it('quarantines a mail over the size limit and an unparseable one, keeping the raw', async () => {
    const small = await ingestFixture('ingest_small', { maxBytes: 200 });
    try {
      const r = await ingestEmail(small.deps, { inboxId: small.inbox._id, raw: rawMail({ body: 'x'.repeat(500) }), source: { folder: 'INBOX', uidValidity: '1', uid: 7 } });
      expect(r).toEqual({ outcome: 'quarantined', reason: 'MAIL_TOO_LARGE' });
      const q = await small.models.Quarantine.findOne().lean();
      expect(q).toMatchObject({ reason: 'MAIL_TOO_LARGE', source: { uid: 7 } });
      expect((await small.deps.blobs.read(q!.raw!.fileId)).length).toBe(q!.size);
      expect(await small.models.Ticket.countDocuments()).toBe(0);
      const junk = await ingestEmail(small.deps, { inboxId: small.inbox._id, raw: Buffer.from('\x00\x01 not a mail'), source: null });
      expect(junk).toEqual({ outcome: 'quarantined', reason: 'MAIL_UNPARSEABLE' });
    } finally {
      await small.db.drop();
    }
  });

  it('files a bounce on the ticket of the bounced mail and never opens a ticket for it', async () => {
    const t = ticketOf(await ingest(rawMail({ from: 'gone@customer.test', messageId: 'bounced-q@customer.test', subject: 'Help' })));
    const { number } = (await fx.models.Ticket.findById(t).lean())!;
    const ours = ourMessageId(number, 'out1', 'example.test', fx.deps.sign);
    await fx.models.Message.create({ ticketId: t, inboxId: fx.inbox._id, direction: 'outbound', messageId: ours, to: [{ address: 'gone@customer.test' }] });
    const tickets = await fx.models.Ticket.countDocuments();
    const dsn = deliveryFailureReport({ messageId: 'dsn1@mx.example.test', originalMessageId: ours, date: 'Fri, 20 Nov 2026 10:05:00 +0000', originalSubject: 'Re: Help' });
    expect(await ingest(dsn)).toEqual({ outcome: 'bounce', ticketId: t });
    expect(await fx.models.Ticket.countDocuments()).toBe(tickets);
    expect((await fx.models.Contact.findOne({ email: 'gone@customer.test' }).lean())!.bounce.bouncing).toBe(true);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: t, type: 'bounce_received' })).toBe(1);
    expect(await ingest(dsn)).toMatchObject({ outcome: 'duplicate' });

    const unmatched = Buffer.from(dsn.toString().replace(ours, 'unknown@elsewhere.test').replace('dsn1@', 'dsn2@'));
    expect(await ingest(unmatched)).toEqual({ outcome: 'quarantined', reason: 'BOUNCE_UNMATCHED' });
    expect(await fx.models.Ticket.countDocuments()).toBe(tickets);
  });

  it('finishes an ingest interrupted after the message was stored, without doubling anything', async () => {
    const raw = rawMail({ messageId: 'crash@c.test', subject: 'Crashy' });
    const crashing = { ...fx.deps, onStep: (step: string) => { if (step === 'stored') throw new Error('simulated crash'); } };
    await expect(ingestEmail(crashing, { inboxId: fx.inbox._id, raw, source: null })).rejects.toThrow('simulated crash');
    const stored = await fx.models.Message.findOne({ messageId: 'crash@c.test' }).lean();
    expect(stored!.ingestState).toBe('stored');
    const r = await ingest(raw);
    expect(r).toMatchObject({ outcome: 'ticketed', created: true });
    expect(await fx.models.Message.countDocuments({ messageId: 'crash@c.test' })).toBe(1);
    const ticket = await fx.models.Ticket.findById(ticketOf(r)).lean();
    expect(ticket!.messageCount).toBe(1);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: ticket!._id })).toBe(2);
    expect(await ingest(raw)).toMatchObject({ outcome: 'duplicate' });
  });

  it('re-runs an ingest interrupted after the ticket was written into the same ticket', async () => {
    const raw = rawMail({ messageId: 'crash2@c.test', subject: 'Crashy 2' });
    const crashing = { ...fx.deps, onStep: (step: string) => { if (step === 'ticket-written') throw new Error('simulated crash'); } };
    await expect(ingestEmail(crashing, { inboxId: fx.inbox._id, raw, source: null })).rejects.toThrow('simulated crash');
    const r = await ingest(raw);
    expect(await fx.models.Ticket.countDocuments({ subject: 'Crashy 2' })).toBe(1);
    expect((await fx.models.Ticket.findById(ticketOf(r)).lean())!.messageCount).toBe(1);
  });
});
