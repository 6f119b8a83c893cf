import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { QuarantineDoc } from './models/quarantine.js';

/** A quarantined mail as {@link QuarantineStore.recordOnce} writes it, besides its inbox and content hash. */
export type QuarantineEntry = Pick<QuarantineDoc, 'reason' | 'detail' | 'size' | 'raw' | 'source' | 'subject' | 'from' | 'createdAt'>;

/** Received mail kept aside for admins (`quarantine`). */
export function createQuarantineStore(models: Pick<Models, 'Quarantine'>) {
  const { Quarantine } = models;
  return {
    /**
     * Records a mail once per inbox and content hash (an upsert): a mail met again keeps its first
     * entry unchanged. Returns the entry's id either way.
     */
    async recordOnce(inboxId: Types.ObjectId, contentHash: string, entry: QuarantineEntry): Promise<Types.ObjectId> {
      const doc = await Quarantine.findOneAndUpdate({ inboxId, contentHash }, { $setOnInsert: entry }, { upsert: true, returnDocument: 'after', lean: true });
      return doc!._id;
    },

    /**
     * Entries newest first, `limit` of them, after the keyset `before` (the last entry of the previous
     * page); `inboxIds` limits to those inboxes, `reason` to one reason.
     */
    async list(q: { inboxIds?: Types.ObjectId[]; reason?: string; before?: { createdAt: Date; id: Types.ObjectId }; limit: number }): Promise<QuarantineDoc[]> {
      const filter: Record<string, unknown> = {};
      if (q.inboxIds) filter.inboxId = { $in: q.inboxIds };
      if (q.reason) filter.reason = q.reason;
      if (q.before) filter.$or = [{ createdAt: { $lt: q.before.createdAt } }, { createdAt: q.before.createdAt, _id: { $lt: q.before.id } }];
      return Quarantine.find(filter).sort({ createdAt: -1, _id: -1 }).limit(q.limit).lean<QuarantineDoc[]>();
    },

    /** One entry, or null. */
    async findById(id: Types.ObjectId): Promise<QuarantineDoc | null> {
      return Quarantine.findById(id).lean<QuarantineDoc>();
    },

    /** Removes an entry; returns it, or null when it was already gone (so only one caller frees its raw file). */
    async remove(id: Types.ObjectId): Promise<QuarantineDoc | null> {
      return Quarantine.findOneAndDelete({ _id: id }).lean<QuarantineDoc>();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type QuarantineStore = ReturnType<typeof createQuarantineStore>;
