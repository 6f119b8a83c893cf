import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch, ingestEmail, type IngestResult } from '../../../../src/services/ingest/ingest-email.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { rawMail } from '../../../helpers/mail.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
beforeAll(async () => {
  fx = await ingestFixture('ingest_batch');
});
afterAll(() => fx.db.drop());

const ticketOf = (r: IngestResult) => {
  if (!('ticketId' in r)) throw new Error(`expected a ticket, got ${JSON.stringify(r)}`);
  return String(r.ticketId);
};

/** Hands mails in together, as the poller does with a fetched batch. */
const batch = (raws: Buffer[], deps = fx.deps) => ingestBatch(deps, raws.map((raw, i) => ({ inboxId: fx.inbox._id, raw, source: { folder: 'INBOX', uidValidity: '1', uid: i + 1 } })));

describe('ingesting mails handed in together', () => {
  it('threads within the batch as one by one would, keeps a bad mail apart, and stores a repeated mail once', async () => {
    const parent = rawMail({ messageId: 'b-parent@c.test', subject: 'Batch order' });
    const results = await batch([
      rawMail({ messageId: 'b-child@c.test', inReplyTo: 'b-parent@c.test', subject: 'Re: Batch order' }),
      Buffer.from('\x00\x01 not a mail'),
      parent,
      rawMail({ from: 'zed@other.test', messageId: 'b-other@c.test', subject: 'Something else' }),
      parent,
      rawMail({ messageId: 'b-grandchild@c.test', references: ['b-parent@c.test', 'b-child@c.test'], subject: 'Re: Batch order' }),
    ]);
    const [child, junk, first, other, repeat, grandchild] = results.map((r) => (r.status === 'fulfilled' ? r.value : Promise.reject(r.reason)) as IngestResult);
    expect(junk).toEqual({ outcome: 'quarantined', reason: 'MAIL_UNPARSEABLE' });
    expect(ticketOf(first!)).toBe(ticketOf(child!));
    expect(ticketOf(grandchild!)).toBe(ticketOf(child!));
    expect(ticketOf(other!)).not.toBe(ticketOf(child!));
    expect(repeat).toEqual({ outcome: 'duplicate', ticketId: (first as { ticketId: unknown }).ticketId });
    expect(await fx.models.Message.countDocuments({ messageId: 'b-parent@c.test' })).toBe(1);
    const ticket = await fx.models.Ticket.findById(ticketOf(child!)).lean();
    expect(ticket!.messageCount).toBe(3);
    expect(await fx.models.Message.countDocuments({ ticketId: ticket!._id, ingestState: 'complete' })).toBe(3);
    const trail = await fx.models.TicketEvent.find({ ticketId: ticket!._id }).lean();
    expect(trail.map((e) => e.type).sort()).toEqual(['created', 'message_received', 'message_received', 'message_received']);
  });

  it('regression: a failed ticket write marks none of the mails that waited on it complete, and a retry converges', async () => {
    const opener = await batch([rawMail({ messageId: 'w-1@c.test', subject: 'Write order' })]);
    const ticketId = ticketOf((opener[0] as PromiseFulfilledResult<IngestResult>).value);
    // A field of the wrong type makes the batch's ticket write fail in the database itself.
    await fx.models.Ticket.collection.updateOne({ _id: new Types.ObjectId(ticketId) }, { $set: { participants: 'not-a-list' } });
    const raws = [rawMail({ messageId: 'w-2@c.test', inReplyTo: 'w-1@c.test', subject: 'Re: Write order' }), rawMail({ from: 'yan@other.test', messageId: 'w-3@c.test', subject: 'Unrelated' })];
    const failed = await batch(raws);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await fx.models.Message.find({ messageId: { $in: ['w-2@c.test', 'w-3@c.test'] } }).lean()).map((m) => m.ingestState)).toEqual(['stored', 'stored']);

    await fx.models.Ticket.collection.updateOne({ _id: new Types.ObjectId(ticketId) }, { $set: { participants: [] } });
    const again = await batch(raws);
    expect(again.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual(['ticketed', 'ticketed']);
    const ticket = (await fx.models.Ticket.findById(ticketId).lean())!;
    expect(ticket.messageCount).toBe(2);
    expect(await fx.models.Message.countDocuments({ messageId: { $in: ['w-2@c.test', 'w-3@c.test'] }, ingestState: 'complete' })).toBe(2);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: 'message_received' })).toBe(2);
  });

  it('one mail ingested by two batches at once (two inboxes, two pollers) is stored once, delivered to both', async () => {
    const second = await fx.models.Inbox.create({ name: 'Sales', address: 'sales@example.test', imap: { host: '127.0.0.1', port: 143, secure: false }, smtp: { host: '127.0.0.1', port: 25, secure: false } });
    const raw = rawMail({ messageId: 'race@c.test', to: 'support@example.test, sales@example.test', subject: 'Both of you' });
    // Separate deps objects make separate batches, as two poller processes would.
    const [a, b] = await Promise.all([
      ingestEmail({ ...fx.deps }, { inboxId: fx.inbox._id, raw, source: null }),
      ingestEmail({ ...fx.deps }, { inboxId: second._id, raw, source: null }),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['duplicate', 'ticketed']);
    const stored = await fx.models.Message.find({ messageId: 'race@c.test' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.deliveredTo.map(String).sort()).toEqual([String(fx.inbox._id), String(second._id)].sort());
    expect(stored[0]!.ingestState).toBe('complete');
    const ticket = (await fx.models.Ticket.findById(stored[0]!.ticketId).lean())!;
    expect(ticket.messageCount).toBe(1);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: 'message_received' })).toBe(1);
  });

  it('fails only the mail that fails, and a retry of the batch completes it once', async () => {
    const raws = [rawMail({ messageId: 'f-1@c.test', subject: 'F one' }), rawMail({ messageId: 'f-2@c.test', subject: 'F two' }), rawMail({ messageId: 'f-3@c.test', subject: 'F three' })];
    let written = 0;
    const failing = { ...fx.deps, onStep: (step: string) => { if (step === 'ticket-written' && ++written === 2) throw new Error('simulated failure'); } };
    const first = await batch(raws, failing);
    expect(first.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await fx.models.Message.findOne({ messageId: 'f-2@c.test' }).lean()).toBeNull();
    const again = await batch(raws);
    expect(again.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual(['duplicate', 'ticketed', 'duplicate']);
    for (const id of ['f-1@c.test', 'f-2@c.test', 'f-3@c.test']) {
      const m = await fx.models.Message.find({ messageId: id }).lean();
      expect(m).toHaveLength(1);
      expect(m[0]!.ingestState).toBe('complete');
      expect((await fx.models.Ticket.findById(m[0]!.ticketId).lean())!.messageCount).toBe(1);
    }
  });

  it('a failure between storing the batch\'s messages and writing their tickets fails the batch, and a retry counts each once', async () => {
    const raws = [rawMail({ messageId: 's-1@c.test', subject: 'S one' }), rawMail({ messageId: 's-2@c.test', inReplyTo: 's-1@c.test', subject: 'Re: S one' })];
    let stored = 0;
    const failing = { ...fx.deps, onStep: (step: string) => { if (step === 'stored' && ++stored === 2) throw new Error('simulated crash'); } };
    const first = await batch(raws, failing);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const kept = await fx.models.Message.find({ messageId: { $in: ['s-1@c.test', 's-2@c.test'] } }).lean();
    expect(kept.map((m) => m.ingestState)).toEqual(['stored', 'stored']);
    const again = await batch(raws);
    expect(again.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual(['ticketed', 'ticketed']);
    const ticket = (await fx.models.Ticket.findById(kept[0]!.ticketId).lean())!;
    expect(ticket.messageCount).toBe(2);
    expect(await fx.models.TicketEvent.countDocuments({ ticketId: ticket._id, type: 'message_received' })).toBe(2);
  });
});
