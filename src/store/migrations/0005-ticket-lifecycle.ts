import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import type { Migration } from './migration.js';

const BATCH = 500;

/** Tickets whose lifecycle jobs the job worker plans once (store/ticket-lifecycle-writes.ts), by id. */
export const LIFECYCLE_BACKFILL_COLLECTION = 'lifecycle_backfill';

interface OldTicket extends Document {
  _id: ObjectId;
  status: string;
  updatedAt?: Date;
  pendingSince?: Date | null;
  sla?: { pausedAt?: Date | null } | null;
}

/**
 * Tickets learn lifecycle automation (domain/lifecycle.ts): a pending ticket without `pendingSince`
 * gets the time its SLA clocks paused (when it became pending), else its last change; and every
 * unmerged solved or pending ticket is listed in `lifecycle_backfill`, so the job worker plans its
 * auto-close or pending reminder once (tickets changed later are planned as they change). Tickets
 * with `pendingSince` keep it, and a ticket already listed is listed once, so a second run changes
 * nothing.
 */
export const ticketLifecycle: Migration = {
  version: 5,
  name: 'ticket-lifecycle',
  async up({ db, logger }) {
    const tickets = db.collection<OldTicket>('tickets');
    let ops: AnyBulkWriteOperation<OldTicket>[] = [];
    let dated = 0;
    const flush = async () => {
      if (ops.length > 0) await tickets.bulkWrite(ops, { ordered: false });
      dated += ops.length;
      ops = [];
    };
    for await (const t of tickets.find({ status: 'pending', pendingSince: { $exists: false } }, { projection: { updatedAt: 1, 'sla.pausedAt': 1 } })) {
      const since = t.sla?.pausedAt ?? t.updatedAt ?? new Date();
      ops.push({ updateOne: { filter: { _id: t._id, pendingSince: { $exists: false } }, update: { $set: { pendingSince: since } } } });
      if (ops.length >= BATCH) await flush();
    }
    await flush();

    const queue = db.collection<{ _id: ObjectId }>(LIFECYCLE_BACKFILL_COLLECTION);
    let listed = 0;
    let ids: ObjectId[] = [];
    const enqueue = async () => {
      if (ids.length > 0) await queue.bulkWrite(ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $setOnInsert: { _id } }, upsert: true } })), { ordered: false });
      listed += ids.length;
      ids = [];
    };
    for await (const t of tickets.find({ status: { $in: ['solved', 'pending'] }, mergedIntoId: null }, { projection: { _id: 1 } })) {
      ids.push(t._id);
      if (ids.length >= BATCH) await enqueue();
    }
    await enqueue();
    if (dated > 0 || listed > 0) logger.info({ pendingDated: dated, toPlan: listed }, 'prepared tickets for auto-close and pending reminders');
  },
};
