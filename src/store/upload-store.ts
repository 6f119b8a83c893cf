import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { UploadDoc } from './models/upload.js';

/** An upload as the upload use case writes it. */
export type NewUpload = Omit<UploadDoc, 'usedAt'>;

/** Files staged for mail being written (`uploads`). Every read that serves a person names the uploader. */
export function createUploadStore(models: Pick<Models, 'Upload'>) {
  const { Upload } = models;
  return {
    /** Stores a new upload. */
    async insert(upload: NewUpload): Promise<void> {
      await Upload.create({ ...upload, usedAt: null });
    },

    /** One upload of this user, or null (another person's upload is as good as missing). */
    findOwned(userId: Types.ObjectId, id: Types.ObjectId): Promise<UploadDoc | null> {
      return Upload.findOne({ _id: id, userId }).lean<UploadDoc>().exec();
    },

    /** The uploads among `ids` that belong to this user (in no particular order). */
    listOwned(userId: Types.ObjectId, ids: Types.ObjectId[]): Promise<UploadDoc[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return Upload.find({ _id: { $in: ids }, userId }).lean<UploadDoc[]>().exec();
    },

    /** Marks uploads taken by a mail being sent (kept as first marked when repeated). */
    async markUsed(ids: Types.ObjectId[], at: Date): Promise<void> {
      if (ids.length === 0) return;
      await Upload.updateMany({ _id: { $in: ids }, usedAt: null }, { $set: { usedAt: at } });
    },

    /** Up to `limit` unused uploads created before `before`, but for those of `keep`: the clean-up's next batch. */
    listUnusedBefore(before: Date, limit: number, keep: readonly Types.ObjectId[] = []): Promise<Array<Pick<UploadDoc, '_id' | 'fileId'>>> {
      return Upload.find({ usedAt: null, createdAt: { $lt: before }, ...(keep.length > 0 ? { _id: { $nin: keep } } : {}) }, { fileId: 1 }).sort({ createdAt: 1 }).limit(limit).lean<Array<Pick<UploadDoc, '_id' | 'fileId'>>>().exec();
    },

    /** Removes an upload, only while still unused; true when it was removed (then its file may go). */
    async removeUnused(id: Types.ObjectId): Promise<boolean> {
      return (await Upload.deleteOne({ _id: id, usedAt: null })).deletedCount === 1;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type UploadStore = ReturnType<typeof createUploadStore>;
