import type { Types } from 'mongoose';
import type { SpamBlock } from '../domain/spam.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import type { SpamBlockDoc } from './models/spam-block.js';

/** The block lists of the inboxes (store/models/spam-block.ts), the only code that queries them. */
export function createSpamBlockStore(models: Pick<Models, 'SpamBlock'>) {
  return {
    /** Adds an entry to an inbox's block list; an entry already there is kept as it is (idempotent). */
    async add(inboxId: Types.ObjectId, block: SpamBlock, origin: { ticketId: Types.ObjectId | null; by: Types.ObjectId | null }): Promise<void> {
      await models.SpamBlock.updateOne(
        { inboxId, value: block.value },
        { $setOnInsert: { inboxId, kind: block.kind, value: block.value, ticketId: origin.ticketId, by: origin.by } },
        { upsert: true },
      ).catch((err: unknown) => {
        // Two marks at once: the other one inserted it.
        if (!isDuplicateKey(err)) throw err;
      });
    },

    /** Removes an entry by its value; returns whether there was one. */
    async removeValue(inboxId: Types.ObjectId, value: string): Promise<boolean> {
      return (await models.SpamBlock.deleteOne({ inboxId, value })).deletedCount > 0;
    },

    /** Removes an entry by its id, within its inbox; returns whether there was one. */
    async removeById(inboxId: Types.ObjectId, id: Types.ObjectId): Promise<boolean> {
      return (await models.SpamBlock.deleteOne({ _id: id, inboxId })).deletedCount > 0;
    },

    /** The entries of these inboxes holding any of these values (a batch's senders and their domains): one query. */
    listMatches(inboxIds: readonly Types.ObjectId[], values: readonly string[]): Promise<Array<Pick<SpamBlockDoc, 'inboxId' | 'kind' | 'value'>>> {
      return models.SpamBlock.find({ inboxId: { $in: [...inboxIds] }, value: { $in: [...values] } }).select({ inboxId: 1, kind: 1, value: 1 }).lean();
    },

    /** An inbox's block list by value, up to `limit` entries. */
    listByInbox(inboxId: Types.ObjectId, limit: number): Promise<SpamBlockDoc[]> {
      return models.SpamBlock.find({ inboxId }).sort({ value: 1 }).limit(limit).lean();
    },

    /** Drops an inbox's whole block list (the inbox is deleted). */
    async removeAllOfInbox(inboxId: Types.ObjectId): Promise<void> {
      await models.SpamBlock.deleteMany({ inboxId });
    },
  };
}

export type SpamBlockStore = ReturnType<typeof createSpamBlockStore>;
