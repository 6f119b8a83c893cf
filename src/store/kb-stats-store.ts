import type { AnyBulkWriteOperation, Types } from 'mongoose';
import type { KbArticleStatDoc } from './models/kb-article-stat.js';
import type { Models } from './models/index.js';

/** The counts the help center keeps per article and day. */
export type KbStatCounts = Pick<KbArticleStatDoc, 'views' | 'yes' | 'no' | 'contact'>;

/** One article's sums over a period. */
export type KbArticleStatSums = KbStatCounts & { articleId: Types.ObjectId };

/** Counts to add to one article's day. */
export interface KbStatIncrement {
  articleId: Types.ObjectId;
  day: string;
  counts: Partial<KbStatCounts>;
}

const SUMS = { views: { $sum: '$views' }, yes: { $sum: '$yes' }, no: { $sum: '$no' }, contact: { $sum: '$contact' } } as const;

/** The help center's per-article, per-day counters (`kb_article_stats`). */
export function createKbStatsStore(models: Pick<Models, 'KbArticleStat'>) {
  const { KbArticleStat } = models;
  return {
    /** Adds counts: one upsert with `$inc` per article and day, all in one unordered write. */
    async add(increments: readonly KbStatIncrement[]): Promise<void> {
      const ops: Array<AnyBulkWriteOperation<KbArticleStatDoc>> = increments
        .filter((i) => Object.values(i.counts).some((n) => n))
        .map((i) => ({ updateOne: { filter: { articleId: i.articleId, day: i.day }, update: { $inc: i.counts }, upsert: true } }));
      if (ops.length) await KbArticleStat.bulkWrite(ops, { ordered: false });
    },

    /** Each article's sums over the days `from`…`to` (inclusive, `YYYY-MM-DD`); articles without any count are left out. */
    sumsByArticle(from: string, to: string): Promise<KbArticleStatSums[]> {
      return KbArticleStat.aggregate<KbArticleStatSums>([
        { $match: { day: { $gte: from, $lte: to } } },
        { $group: { _id: '$articleId', ...SUMS } },
        { $project: { _id: 0, articleId: '$_id', views: 1, yes: 1, no: 1, contact: 1 } },
      ]).exec();
    },

    /** One article's sums, over every day or from a day on. */
    async sumsOf(articleId: Types.ObjectId, from?: string): Promise<KbStatCounts> {
      const [row] = await KbArticleStat.aggregate<KbStatCounts>([
        { $match: { articleId, ...(from ? { day: { $gte: from } } : {}) } },
        { $group: { _id: null, ...SUMS } },
      ]).exec();
      return { views: row?.views ?? 0, yes: row?.yes ?? 0, no: row?.no ?? 0, contact: row?.contact ?? 0 };
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type KbStatsStore = ReturnType<typeof createKbStatsStore>;
