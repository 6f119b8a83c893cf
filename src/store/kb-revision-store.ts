import type { Types } from 'mongoose';
import type { KbRevisionDoc } from './models/kb-revision.js';
import type { Models } from './models/index.js';

/** The saved versions of each article (`kb_revisions`). */
export function createKbRevisionStore(models: Pick<Models, 'KbRevision'>) {
  const { KbRevision } = models;
  return {
    /** Records one revision. */
    async add(rev: Omit<KbRevisionDoc, '_id'>): Promise<KbRevisionDoc> {
      return (await KbRevision.create(rev)).toObject<KbRevisionDoc>();
    },

    /** An article's revisions, newest first (at most `limit`). */
    listByArticle(articleId: Types.ObjectId, limit = 200): Promise<KbRevisionDoc[]> {
      return KbRevision.find({ articleId }).sort({ number: -1 }).limit(limit).lean<KbRevisionDoc[]>().exec();
    },

    /** One revision of an article by its number. */
    findByNumber(articleId: Types.ObjectId, number: number): Promise<KbRevisionDoc | null> {
      return KbRevision.findOne({ articleId, number }).lean<KbRevisionDoc>().exec();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type KbRevisionStore = ReturnType<typeof createKbRevisionStore>;
