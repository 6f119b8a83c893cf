import type { Types } from 'mongoose';
import type { CategoryDoc } from './models/category.js';
import type { Models } from './models/index.js';

/** The ticket categories admins define (`categories`). */
export function createCategoryStore(models: Pick<Models, 'Category'>) {
  const { Category } = models;
  return {
    /** One category; null when it is missing. */
    findById(id: Types.ObjectId): Promise<CategoryDoc | null> {
      return Category.findOne({ _id: id }).lean<CategoryDoc>().exec();
    },

    /** Every category, global ones first, then by inbox and name (admins). */
    listAll(): Promise<CategoryDoc[]> {
      return Category.find({}).sort({ inboxId: 1, name: 1, _id: 1 }).lean<CategoryDoc[]>().exec();
    },

    /** The global categories and those of these inboxes, global ones first, then by inbox and name. */
    listForInboxes(inboxIds: Types.ObjectId[]): Promise<CategoryDoc[]> {
      return Category.find({ inboxId: { $in: [null, ...inboxIds] } }).sort({ inboxId: 1, name: 1, _id: 1 }).lean<CategoryDoc[]>().exec();
    },

    /** The category of this scope with this name (exact), if any. */
    findByName(inboxId: Types.ObjectId | null, name: string): Promise<CategoryDoc | null> {
      return Category.findOne({ inboxId, name }).lean<CategoryDoc>().exec();
    },

    /** Adds a category and returns it as stored. */
    async create(category: Pick<CategoryDoc, 'name' | 'inboxId' | 'archived'>): Promise<CategoryDoc> {
      return (await Category.create(category)).toObject<CategoryDoc>();
    },

    /** Changes a category; returns it changed, or null when it is gone. */
    update(id: Types.ObjectId, fields: Partial<Pick<CategoryDoc, 'name' | 'inboxId' | 'archived'>>): Promise<CategoryDoc | null> {
      return Category.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<CategoryDoc>().exec();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type CategoryStore = ReturnType<typeof createCategoryStore>;
