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
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type QuarantineStore = ReturnType<typeof createQuarantineStore>;
