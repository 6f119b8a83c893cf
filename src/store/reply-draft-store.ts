import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { ReplyDraftDoc } from './models/reply-draft.js';

/** Each agent's unsent replies (`reply_drafts`), one per user and ticket. Every read and write names the owner. */
export function createReplyDraftStore(models: Pick<Models, 'ReplyDraft'>) {
  const { ReplyDraft } = models;
  return {
    /** The user's draft for the ticket, or null. */
    find(userId: Types.ObjectId, ticketId: Types.ObjectId): Promise<ReplyDraftDoc | null> {
      return ReplyDraft.findOne({ userId, ticketId }).lean<ReplyDraftDoc>().exec();
    },

    /** Writes the user's draft for the ticket (creating it if needed) and returns it as stored. */
    async save(userId: Types.ObjectId, ticketId: Types.ObjectId, fields: Pick<ReplyDraftDoc, 'text' | 'html' | 'cc' | 'to' | 'bcc' | 'uploadIds' | 'updatedAt'>): Promise<ReplyDraftDoc> {
      // A draft without files has no `uploadIds` at all (the clean-up's index holds only drafts with files).
      const { uploadIds, ...rest } = fields;
      const update = uploadIds && uploadIds.length > 0 ? { $set: { ...rest, uploadIds } } : { $set: rest, $unset: { uploadIds: 1 } };
      const doc = await ReplyDraft.findOneAndUpdate({ userId, ticketId }, update, { upsert: true, returnDocument: 'after' }).lean<ReplyDraftDoc>().exec();
      return doc!;
    },

    /** Removes the user's draft for the ticket; false when there was none. */
    async remove(userId: Types.ObjectId, ticketId: Types.ObjectId): Promise<boolean> {
      return (await ReplyDraft.deleteOne({ userId, ticketId })).deletedCount === 1;
    },

    /** Every upload some draft holds (each once): the day-old clean-up leaves them. */
    uploadIdsInDrafts(): Promise<Types.ObjectId[]> {
      return ReplyDraft.distinct('uploadIds', { 'uploadIds.0': { $exists: true } }).exec() as Promise<Types.ObjectId[]>;
    },

    /** Which of these tickets the user has a draft for (one query, for a list page). */
    async ticketIdsWithDraft(userId: Types.ObjectId, ticketIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
      if (ticketIds.length === 0) return [];
      const docs = await ReplyDraft.find({ userId, ticketId: { $in: ticketIds } }).select({ ticketId: 1 }).lean<Array<Pick<ReplyDraftDoc, 'ticketId'>>>().exec();
      return docs.map((d) => d.ticketId);
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ReplyDraftStore = ReturnType<typeof createReplyDraftStore>;
