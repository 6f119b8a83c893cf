import type { Types } from 'mongoose';
import type { KbLanguage } from '../domain/kb-articles.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { KbCategoryDoc } from './models/kb-category.js';
import type { Models } from './models/index.js';

/** The knowledge base's categories (`kb_categories`). */
export function createKbCategoryStore(models: Pick<Models, 'KbCategory'>) {
  const { KbCategory } = models;
  return {
    /** Every category, or a language's, in position order then by name. */
    list(language?: KbLanguage): Promise<KbCategoryDoc[]> {
      return KbCategory.find(language ? { language } : {}).sort({ language: 1, position: 1, name: 1 }).lean<KbCategoryDoc[]>().exec();
    },

    findById(id: Types.ObjectId): Promise<KbCategoryDoc | null> {
      return KbCategory.findById(id).lean<KbCategoryDoc>().exec();
    },

    findBySlug(language: KbLanguage, slug: string): Promise<KbCategoryDoc | null> {
      return KbCategory.findOne({ language, slug }).lean<KbCategoryDoc>().exec();
    },

    /** Adds a category; null when its slug is taken in its language. */
    async create(fields: Pick<KbCategoryDoc, 'name' | 'description' | 'language' | 'slug' | 'position'>): Promise<KbCategoryDoc | null> {
      try {
        return (await KbCategory.create(fields)).toObject<KbCategoryDoc>();
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw err;
      }
    },

    /** Changes a category; `'taken'` when the new slug is another's, null when it is gone. */
    async update(id: Types.ObjectId, fields: Partial<Pick<KbCategoryDoc, 'name' | 'description' | 'language' | 'slug' | 'position'>>): Promise<KbCategoryDoc | null | 'taken'> {
      try {
        return await KbCategory.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<KbCategoryDoc>().exec();
      } catch (err) {
        if (isDuplicateKey(err)) return 'taken';
        throw err;
      }
    },

    async deleteById(id: Types.ObjectId): Promise<void> {
      await KbCategory.deleteOne({ _id: id });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type KbCategoryStore = ReturnType<typeof createKbCategoryStore>;
