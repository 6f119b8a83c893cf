import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { SavedViewDoc } from './models/saved-view.js';

/** Each user's saved ticket list views (`saved_views`). Every read and write names the owner. */
export function createSavedViewStore(models: Pick<Models, 'SavedView'>) {
  const { SavedView } = models;
  return {
    /** A user's views by name, then id. */
    listByUser(userId: Types.ObjectId): Promise<SavedViewDoc[]> {
      return SavedView.find({ userId }).sort({ name: 1, _id: 1 }).lean<SavedViewDoc[]>().exec();
    },

    /** How many views a user has. */
    countByUser(userId: Types.ObjectId): Promise<number> {
      return SavedView.countDocuments({ userId }).exec();
    },

    /** Adds a view and returns it as stored. */
    async create(view: Pick<SavedViewDoc, 'userId' | 'name' | 'filters'>): Promise<SavedViewDoc> {
      return (await SavedView.create(view)).toObject<SavedViewDoc>();
    },

    /** Changes a view of this user; null when it is missing or someone else's. */
    update(id: Types.ObjectId, userId: Types.ObjectId, fields: Partial<Pick<SavedViewDoc, 'name' | 'filters'>>): Promise<SavedViewDoc | null> {
      return SavedView.findOneAndUpdate({ _id: id, userId }, { $set: fields }, { returnDocument: 'after' }).lean<SavedViewDoc>().exec();
    },

    /** Removes a view of this user; false when it is missing or someone else's. */
    async deleteOwned(id: Types.ObjectId, userId: Types.ObjectId): Promise<boolean> {
      return (await SavedView.deleteOne({ _id: id, userId })).deletedCount === 1;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type SavedViewStore = ReturnType<typeof createSavedViewStore>;
