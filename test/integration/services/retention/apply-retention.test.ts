import type { Db } from 'mongodb';
import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { applyRetention, RETENTION_CONTINUE_KEY, RETENTION_JOB, type ApplyRetentionDeps } from '../../../../src/services/retention/apply-retention.js';
import { previewRetention } from '../../../../src/services/retention/preview-retention.js';
import { createBlobStore, type BlobStore } from '../../../../src/store/blob-store.js';
import { reclaimSpace } from '../../../../src/store/reclaim-space.js';
import { RETENTION_COLLECTIONS } from '../../../../src/store/retention-writes.js';
import { openTestDb, testLogger } from '../../../helpers/db.js';
import { collectionsHolding, emptyDatabase, KEPT, monthsAgo, PERSON, seedTicket } from './retention-fixture.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let mongo: Db;
let blobs: BlobStore;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const reclaimed: string[][] = [];
const scheduled: Array<{ name: string; key?: string }> = [];

beforeAll(async () => {
  db = await openTestDb('retention');
  mongo = db.connection.db!;
  blobs = createBlobStore(mongo);
  await blobs.ensureIndexes();
});
afterAll(() => db.drop());
beforeEach(async () => {
  await emptyDatabase(mongo);
  reclaimed.length = 0;
  scheduled.length = 0;
});

function deps(over: Partial<ApplyRetentionDeps> = {}): ApplyRetentionDeps {
  return {
    retention: db.stores.retention,
    blobs,
    accessLog: db.stores.accessLog,
    reclaimSpace: async (collections) => {
      reclaimed.push(collections);
      await reclaimSpace(mongo, collections, testLogger);
    },
    scheduler: { schedule: async (name, opts) => void scheduled.push({ name, ...(opts.key ? { key: opts.key } : {}) }) },
    now: () => new Date(),
    logger: testLogger,
    batchSize: 1,
    ...over,
  };
}

async function inbox(retention: { months: number | null; action: 'anonymise' | 'delete' }): Promise<Types.ObjectId> {
  const _id = new Types.ObjectId();
  await db.models.Inbox.create({ _id, name: `Desk ${_id.toHexString().slice(-4)}`, address: `desk-${_id.toHexString()}@example.test`, imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 }, options: {}, retention });
  return _id;
}

const fileExists = async (id: Types.ObjectId) => (await mongo.collection('blobs.files').countDocuments({ _id: id })) > 0;
const chunksOf = async (id: Types.ObjectId) => mongo.collection('blobs.chunks').countDocuments({ files_id: id });
const logOf = (inboxId: Types.ObjectId) => db.models.AccessLog.find({ action: 'retention_applied', inboxId }).sort({ at: 1 }).lean();

describe('retention run: anonymise', () => {
  it("removes every trace of the person from due tickets, keeps counts and timings, leaves the rest alone, and a rerun does nothing", async () => {
    const desk = await inbox({ months: 12, action: 'anonymise' });
    const kept = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(2), who: KEPT });
    const due1 = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(14), sharedFileId: kept.files[0] });
    const due2 = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(13) });
    const open = await seedTicket(db.models, blobs, desk, { status: 'open', closedAt: null, who: KEPT });
    const solved = await seedTicket(db.models, blobs, desk, { status: 'solved', closedAt: monthsAgo(20), who: KEPT });
    const spam = await seedTicket(db.models, blobs, desk, { status: 'spam', closedAt: monthsAgo(20), who: KEPT });
    const off = await seedTicket(db.models, blobs, await inbox({ months: null, action: 'delete' }), { status: 'closed', closedAt: monthsAgo(40), who: KEPT });
    const before = await db.models.Ticket.find({}, { status: 1, closedAt: 1, createdAt: 1, metrics: 1, messageCount: 1, number: 1 }).sort({ number: 1 }).lean();
    const messagesBefore = await db.models.Message.countDocuments();
    const eventTypesBefore = await db.models.TicketEvent.find({ ticketId: due1.ticketId }, { type: 1, at: 1, actor: 1, data: 1 }).sort({ at: 1, _id: 1 }).lean();

    const preview = await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString());
    expect(preview.preview).toMatchObject({ action: 'anonymise', months: 12, tickets: 2 });

    const run = await applyRetention(deps());
    expect(run).toEqual({ finished: true, inboxes: [{ inboxId: desk.toHexString(), action: 'anonymise', tickets: 2 }] });

    // Not a trace of the person, their address (any case) or their word anywhere, GridFS chunks included.
    expect(await collectionsHolding(mongo, [PERSON.name, PERSON.address.toUpperCase(), PERSON.word])).toEqual([]);
    // Counts and timings stay: every ticket, message and trail entry is still there.
    expect(await db.models.Ticket.find({}, { status: 1, closedAt: 1, createdAt: 1, metrics: 1, messageCount: 1, number: 1 }).sort({ number: 1 }).lean()).toEqual(before);
    expect(await db.models.Message.countDocuments()).toBe(messagesBefore);
    const events = await db.models.TicketEvent.find({ ticketId: due1.ticketId, type: { $ne: 'anonymised' } }, { type: 1, at: 1, actor: 1, data: 1 }).sort({ at: 1, _id: 1 }).lean();
    expect(events.map((e) => [e.type, e.at, e.actor.kind])).toEqual(eventTypesBefore.map((e) => [e.type, e.at, e.actor.kind]));
    expect(events.find((e) => e.type === 'status_changed')?.data).toEqual({ from: 'open', to: 'closed' });
    // One trail entry per anonymised ticket; one access-log entry with the count.
    for (const t of [due1, due2]) {
      expect(await db.models.TicketEvent.find({ ticketId: t.ticketId, type: 'anonymised' }).lean()).toMatchObject([{ actor: { kind: 'system' }, data: { months: 12 } }]);
      expect(await db.models.Ticket.findById(t.ticketId, { searchTerms: 1, anonymisedAt: 1, subject: 1, participants: 1 }).lean()).toMatchObject({ searchTerms: [], subject: '', participants: [], anonymisedAt: expect.any(Date) });
    }
    expect(await logOf(desk)).toMatchObject([{ userId: null, detail: expect.stringContaining('anonymise: 2 tickets') }]);
    // Their files are gone, chunks and all; a file another ticket's message holds stays, and so do the other tickets' files.
    for (const id of [...due1.files, ...due2.files]) {
      expect(await fileExists(id)).toBe(false);
      expect(await chunksOf(id)).toBe(0);
    }
    for (const t of [kept, open, solved, spam, off]) for (const id of t.files) expect(await fileExists(id)).toBe(true);
    // The tickets not due keep everything.
    expect(await collectionsHolding(mongo, [KEPT.word])).toEqual(['blobs.chunks', 'blobs.files', 'messages', 'notifications', 'outbox', 'satisfaction_ratings', 'ticket_events', 'tickets', 'uploads']);
    expect(await db.models.ReplyDraft.countDocuments({ ticketId: { $in: [kept, open, solved, spam, off].map((t) => t.ticketId) } })).toBe(5);
    expect(reclaimed).toEqual([[...RETENTION_COLLECTIONS]]);
    // The person's contact went with their last ticket; the other customer's stays.
    expect(await db.models.Contact.countDocuments({ email: PERSON.address })).toBe(0);
    expect(await db.models.Contact.countDocuments({ email: KEPT.address })).toBe(1);

    // A rerun finds nothing due: nothing recorded, nothing reclaimed.
    const again = await applyRetention(deps());
    expect(again.inboxes).toEqual([{ inboxId: desk.toHexString(), action: 'anonymise', tickets: 0 }]);
    expect(await db.models.TicketEvent.countDocuments({ type: 'anonymised' })).toBe(2);
    expect(await logOf(desk)).toHaveLength(1);
    expect(reclaimed).toHaveLength(1);
    expect((await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString())).preview.tickets).toBe(0);
  });

  it('resumes after a crash between batches, and after one in the middle of a ticket, counting each ticket once', async () => {
    const desk = await inbox({ months: 6, action: 'anonymise' });
    const seeded = [];
    for (let i = 0; i < 3; i++) seeded.push(await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(7 + i) }));
    expect((await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString())).preview.tickets).toBe(3);

    // Killed after the first batch.
    let batches = 0;
    await expect(applyRetention(deps({ afterBatch: () => { if (++batches === 1) throw new Error('worker killed'); } }))).rejects.toThrow('worker killed');
    expect(await db.models.Ticket.countDocuments({ anonymisedAt: { $ne: null } })).toBe(1);
    expect(await logOf(desk)).toMatchObject([{ detail: expect.stringContaining('anonymise: 1 tickets') }]);

    // Killed in the middle of a ticket: after its first file went, before anything else.
    let removals = 0;
    const dying: Pick<BlobStore, 'remove'> = { remove: async (id) => { if (++removals === 2) throw new Error('disk gone'); await blobs.remove(id); } };
    await expect(applyRetention(deps({ blobs: dying }))).rejects.toThrow('disk gone');
    expect(await db.models.Ticket.countDocuments({ anonymisedAt: { $ne: null } })).toBe(1);

    const done = await applyRetention(deps());
    expect(done.inboxes[0]!.tickets).toBe(2);
    for (const t of seeded) expect(await db.models.TicketEvent.countDocuments({ ticketId: t.ticketId, type: 'anonymised' })).toBe(1);
    expect((await logOf(desk)).map((e) => e.detail)).toEqual([expect.stringContaining('anonymise: 1 tickets'), expect.stringContaining('anonymise: 2 tickets')]);
    expect(await collectionsHolding(mongo, [PERSON.word, PERSON.address])).toEqual([]);
  });

  it('anonymises a ticket again once the customer brought it back and it was closed long enough again', async () => {
    const desk = await inbox({ months: 6, action: 'anonymise' });
    const { ticketId } = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(8) });
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(1);

    // The customer writes again: the ticket reopens with their new mail; the next run takes the mark off.
    await db.models.Ticket.updateOne({ _id: ticketId }, { $set: { status: 'open', closedAt: null, 'requester.email': PERSON.address } });
    await db.models.Message.create({ ticketId, inboxId: desk, direction: 'inbound', text: `About my ${PERSON.word} again`, from: { address: PERSON.address, name: PERSON.name } });
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(0);
    expect((await db.models.Ticket.findById(ticketId).lean())!.anonymisedAt ?? null).toBeNull();

    // Closed again (long enough ago, as if months had passed): anonymised again, with a second trail entry.
    await db.models.Ticket.updateOne({ _id: ticketId }, { $set: { status: 'closed', closedAt: monthsAgo(7) } });
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(1);
    expect(await db.models.TicketEvent.countDocuments({ ticketId, type: 'anonymised' })).toBe(2);
    expect(await collectionsHolding(mongo, [PERSON.word, PERSON.address, PERSON.name])).toEqual([]);

    // Reopened and closed again between two runs: the mark comes off, and the ticket waits for its new period.
    await db.models.Ticket.updateOne({ _id: ticketId }, { $set: { closedAt: new Date() } });
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(0);
    expect((await db.models.Ticket.findById(ticketId).lean())!.anonymisedAt ?? null).toBeNull();
  });

  it('leaves the rest to a continuation when its time is up', async () => {
    const desk = await inbox({ months: 6, action: 'anonymise' });
    await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(8) });
    const run = await applyRetention(deps({ budgetMs: 0 }));
    expect(run.finished).toBe(false);
    expect(scheduled).toEqual([{ name: RETENTION_JOB, key: RETENTION_CONTINUE_KEY }]);
    expect(await db.models.Ticket.countDocuments({ anonymisedAt: { $ne: null } })).toBe(0);
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(1);
  });
});

describe('retention run: merged tickets', () => {
  for (const action of ['anonymise', 'delete'] as const) {
    it(`${action}s a merged ticket only with the ticket it was merged into (whose conversation shows its messages)`, async () => {
      const desk = await inbox({ months: 6, action });
      const survivor = await seedTicket(db.models, blobs, desk, { status: 'open', closedAt: null });
      const merged = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(20) });
      await db.models.Ticket.updateOne({ _id: merged.ticketId }, { $set: { mergedIntoId: survivor.ticketId } });
      await db.models.Ticket.updateOne({ _id: survivor.ticketId }, { $set: { mergedTicketIds: [merged.ticketId] } });
      expect((await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString())).preview.tickets).toBe(0);
      expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(0);
      expect(await db.models.Message.countDocuments({ ticketId: merged.ticketId, text: { $regex: PERSON.word } })).toBe(2);

      await db.models.Ticket.updateOne({ _id: survivor.ticketId }, { $set: { status: 'closed', closedAt: monthsAgo(7) } });
      expect((await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString())).preview.tickets).toBe(1);
      expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(2);
      expect(await collectionsHolding(mongo, [PERSON.word, PERSON.address, PERSON.name])).toEqual([]);
      expect(await db.models.Ticket.countDocuments()).toBe(action === 'delete' ? 0 : 2);
      expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(0);
    });
  }
});

describe('retention run: contacts', () => {
  it('keeps a contact another ticket still names, or one an admin linked to a person', async () => {
    const desk = await inbox({ months: 6, action: 'anonymise' });
    const due = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(9), who: KEPT });
    await seedTicket(db.models, blobs, desk, { status: 'open', closedAt: null, who: KEPT });
    await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(9) });
    const primary = await db.models.Contact.findOne({ email: PERSON.address }).lean();
    await db.models.Contact.create({ email: 'zq.alias@retention.test', primaryContactId: primary!._id });
    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(2);
    expect(await db.models.Ticket.exists({ _id: due.ticketId, anonymisedAt: { $ne: null } })).not.toBeNull();
    expect(await db.models.Contact.countDocuments({ email: { $in: [KEPT.address, PERSON.address, 'zq.alias@retention.test'] } })).toBe(3);
  });
});

describe('retention run: delete', () => {
  it('deletes due tickets with everything on them, unlinks them, counts them in the access log only, and a rerun does nothing', async () => {
    const desk = await inbox({ months: 3, action: 'delete' });
    const kept = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(1), who: KEPT });
    const due1 = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(5), linkedTo: kept.ticketId });
    await db.models.Ticket.updateOne({ _id: kept.ticketId }, { $addToSet: { linkedTicketIds: due1.ticketId } });
    const due2 = await seedTicket(db.models, blobs, desk, { status: 'closed', closedAt: monthsAgo(4) });
    // An anonymised ticket is still deleted once the inbox deletes.
    await db.models.Ticket.updateOne({ _id: due2.ticketId }, { $set: { anonymisedAt: monthsAgo(1) } });
    expect((await previewRetention({ ...db.stores, now: () => new Date() }, admin, desk.toHexString())).preview).toMatchObject({ action: 'delete', tickets: 2 });

    const run = await applyRetention(deps());
    expect(run.inboxes).toEqual([{ inboxId: desk.toHexString(), action: 'delete', tickets: 2 }]);
    const gone = [due1.ticketId, due2.ticketId];
    expect(await db.models.Ticket.countDocuments({ _id: { $in: gone } })).toBe(0);
    for (const model of [db.models.Message, db.models.TicketEvent, db.models.Outbox, db.models.SatisfactionRating, db.models.Notification, db.models.ReplyDraft, db.models.Upload] as const) {
      expect(await (model as typeof db.models.Message).countDocuments({ ticketId: { $in: gone } })).toBe(0);
    }
    for (const id of [...due1.files, ...due2.files]) expect(await fileExists(id)).toBe(false);
    expect((await db.models.Ticket.findById(kept.ticketId).lean())!.linkedTicketIds).toEqual([]);
    expect(await collectionsHolding(mongo, [PERSON.name, PERSON.address, PERSON.word])).toEqual([]);
    expect(await db.models.Message.countDocuments({ ticketId: kept.ticketId })).toBe(2);
    expect(await logOf(desk)).toMatchObject([{ detail: expect.stringContaining('delete: 2 tickets') }]);

    expect((await applyRetention(deps())).inboxes[0]!.tickets).toBe(0);
    expect(await logOf(desk)).toHaveLength(1);
  });
});
