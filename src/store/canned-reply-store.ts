import type { Types } from 'mongoose';
import type { CannedReplyDoc } from './models/canned-reply.js';
import type { Models } from './models/index.js';

/** The prepared answers of each inbox (`canned_replies`). */
export function createCannedReplyStore(models: Pick<Models, 'CannedReply'>) {
  const { CannedReply } = models;
  return {
    /** One canned reply of this inbox; null when it is missing or belongs to another inbox. */
    findInInbox(id: Types.ObjectId, inboxId: Types.ObjectId): Promise<CannedReplyDoc | null> {
      return CannedReply.findOne({ _id: id, inboxId }).lean<CannedReplyDoc>().exec();
    },

    /** An inbox's canned replies by title, then id. */
    listByInbox(inboxId: Types.ObjectId): Promise<CannedReplyDoc[]> {
      return CannedReply.find({ inboxId }).sort({ title: 1, _id: 1 }).lean<CannedReplyDoc[]>().exec();
    },

    /** How many canned replies an inbox has. */
    countByInbox(inboxId: Types.ObjectId): Promise<number> {
      return CannedReply.countDocuments({ inboxId }).exec();
    },

    /** Adds a canned reply and returns it as stored. */
    async create(reply: Pick<CannedReplyDoc, 'inboxId' | 'title' | 'body' | 'createdById'>): Promise<CannedReplyDoc> {
      return (await CannedReply.create(reply)).toObject<CannedReplyDoc>();
    },

    /** Changes a canned reply of this inbox; returns it changed, or null when it is gone. */
    update(id: Types.ObjectId, inboxId: Types.ObjectId, fields: Partial<Pick<CannedReplyDoc, 'title' | 'body'>>): Promise<CannedReplyDoc | null> {
      return CannedReply.findOneAndUpdate({ _id: id, inboxId }, { $set: fields }, { returnDocument: 'after' }).lean<CannedReplyDoc>().exec();
    },

    /** Removes a canned reply. */
    async deleteById(id: Types.ObjectId): Promise<void> {
      await CannedReply.deleteOne({ _id: id });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type CannedReplyStore = ReturnType<typeof createCannedReplyStore>;
