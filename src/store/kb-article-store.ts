import type { QueryFilter, Types } from 'mongoose';
import type { KbLanguage, KbScope, KbStatus, KbVisibility } from '../domain/kb-articles.js';
import { prefixRangeEnd, type TermCondition } from '../domain/search-query.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { KbArticleDoc, KbCounters } from './models/kb-article.js';
import type { Models } from './models/index.js';

/** An article as lists and search results show it (no body, no HTML, no terms). */
export type KbArticleSummary = Pick<
  KbArticleDoc,
  '_id' | 'title' | 'slug' | 'language' | 'excerpt' | 'categoryId' | 'tags' | 'visibility' | 'status' | 'revision' | 'updatedAt' | 'publishedAt' | 'authorId' | 'updatedById' | 'counters'
>;

const SUMMARY_FIELDS = {
  title: 1, slug: 1, language: 1, excerpt: 1, categoryId: 1, tags: 1, visibility: 1, status: 1, revision: 1, updatedAt: 1, publishedAt: 1, authorId: 1, updatedById: 1, counters: 1,
} as const;

/** An article as suggestions score it: where it is and what it is found by. */
export type KbSuggestionCandidate = Pick<KbArticleDoc, '_id' | 'title' | 'slug' | 'language' | 'visibility' | 'searchTerms'>;

/** An article as its help center page shows it. */
export type KbArticlePage = Pick<KbArticleDoc, '_id' | 'title' | 'html' | 'language' | 'slug' | 'updatedAt' | 'categoryId'>;

/** Which articles a list or a search holds. */
export interface KbArticleFilter {
  scope: KbScope;
  /** Only this status (within the scope). */
  status?: KbStatus;
  language?: KbLanguage;
  /** Only this category; null: articles of no category. */
  categoryId?: Types.ObjectId | null;
  /** Term conditions, each must hold (src/domain/search-query.ts). */
  all?: readonly TermCondition[];
  /** Term conditions that must not all hold (the title-ranked part of a search leaves its matches out of the rest). */
  notAll?: readonly TermCondition[];
  /** Terms none of which may be held. */
  none?: readonly string[];
}

/** The fields a save writes (the rest is kept or computed by the store). */
export type KbArticleFields = Pick<KbArticleDoc, 'title' | 'slug' | 'language' | 'body' | 'html' | 'excerpt' | 'categoryId' | 'tags' | 'visibility' | 'status' | 'searchTerms' | 'searchVersion'>;

/** What a later save may change (the language and the address stay as created). */
export type KbArticleChanges = Partial<Omit<KbArticleFields, 'slug' | 'language'>>;

function termCondition(c: TermCondition): QueryFilter<KbArticleDoc> {
  if (c.prefix !== undefined) return { searchTerms: { $elemMatch: { $gte: c.prefix, $lt: prefixRangeEnd(c.prefix) } } };
  return { searchTerms: c.anyOf.length === 1 ? c.anyOf[0] : { $in: [...c.anyOf] } };
}

function one<T>(values: readonly T[]): T | { $in: T[] } {
  return values.length === 1 ? (values[0] as T) : { $in: [...values] };
}

function queryOf(f: KbArticleFilter): QueryFilter<KbArticleDoc> {
  const q: QueryFilter<KbArticleDoc> = {};
  q.status = f.status ? (f.scope.statuses.includes(f.status) ? f.status : { $in: [] }) : one<KbStatus>(f.scope.statuses);
  q.visibility = one<KbVisibility>(f.scope.visibilities);
  if (f.language) q.language = f.language;
  if (f.categoryId !== undefined) q.categoryId = f.categoryId;
  const and: Array<QueryFilter<KbArticleDoc>> = [
    ...(f.all ?? []).map(termCondition),
    ...(f.none?.length ? [{ searchTerms: { $nin: [...f.none] } }] : []),
    ...(f.notAll?.length ? [{ $nor: [{ $and: f.notAll.map(termCondition) }] }] : []),
  ];
  if (and.length) q.$and = and;
  return q;
}

/** The knowledge base's articles (`kb_articles`). */
export function createKbArticleStore(models: Pick<Models, 'KbArticle'>) {
  const { KbArticle } = models;
  return {
    /** One article, whole. */
    findById(id: Types.ObjectId): Promise<KbArticleDoc | null> {
      return KbArticle.findById(id).lean<KbArticleDoc>().exec();
    },

    /** The article at a help center address, if it is in the scope. */
    findBySlug(language: KbLanguage, slug: string, scope: KbScope): Promise<KbArticleDoc | null> {
      return KbArticle.findOne({ language, slug, status: one<KbStatus>(scope.statuses), visibility: one<KbVisibility>(scope.visibilities) }).lean<KbArticleDoc>().exec();
    },

    /** What the help center's article page shows of the article at an address (no Markdown, no terms), if it is in the scope. */
    findPageBySlug(language: KbLanguage, slug: string, scope: KbScope): Promise<KbArticlePage | null> {
      return KbArticle.findOne({ language, slug, status: one<KbStatus>(scope.statuses), visibility: one<KbVisibility>(scope.visibilities) })
        .select({ title: 1, html: 1, language: 1, slug: 1, updatedAt: 1, categoryId: 1 })
        .lean<KbArticlePage>()
        .exec();
    },

    /** The slugs of a language equal to `base` or starting with `base-` (to pick a free one). */
    async slugsLike(language: KbLanguage, base: string, exceptId?: Types.ObjectId): Promise<Set<string>> {
      const rows = await KbArticle.find({ language, slug: { $gte: base, $lt: prefixRangeEnd(base) }, ...(exceptId ? { _id: { $ne: exceptId } } : {}) }, { slug: 1 })
        .limit(1000)
        .lean<Array<{ slug: string }>>()
        .exec();
      return new Set(rows.map((r) => r.slug));
    },

    /** Adds an article (revision 1) and returns it as stored; null when its slug was taken meanwhile. */
    async create(fields: KbArticleFields & { authorId: Types.ObjectId | null; publishedAt: Date | null; sourceTicketId?: Types.ObjectId | null }): Promise<KbArticleDoc | null> {
      try {
        const doc = await KbArticle.create({ ...fields, updatedById: fields.authorId, revision: 1, counters: { helpfulYes: 0, helpfulNo: 0 } });
        return doc.toObject<KbArticleDoc>();
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw err;
      }
    },

    /**
     * Saves a change as the next revision: sets the fields, raises `revision` by one and returns the
     * article after it (its `revision` is the new revision's number); null when it is gone.
     */
    saveRevision(id: Types.ObjectId, fields: KbArticleChanges, by: Types.ObjectId | null, publishedAt?: Date): Promise<KbArticleDoc | null> {
      return KbArticle.findOneAndUpdate(
        { _id: id },
        { $set: { ...fields, updatedById: by, ...(publishedAt ? { publishedAt } : {}) }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      )
        .lean<KbArticleDoc>()
        .exec();
    },

    /** Changes fields without a new revision (status, visibility, category, tags); returns the article after it. */
    setFields(id: Types.ObjectId, fields: KbArticleChanges & Partial<Pick<KbArticleDoc, 'publishedAt' | 'updatedById'>>): Promise<KbArticleDoc | null> {
      return KbArticle.findOneAndUpdate({ _id: id }, { $set: fields }, { returnDocument: 'after' }).lean<KbArticleDoc>().exec();
    },

    /** One page of a list, newest change first; `after` is the last row of the previous page. */
    async list(filter: KbArticleFilter, opts: { limit: number; after?: { updatedAt: Date; id: Types.ObjectId } }): Promise<{ items: KbArticleSummary[]; hasMore: boolean }> {
      const q = queryOf(filter);
      if (opts.after) {
        q.updatedAt = { $lte: opts.after.updatedAt };
        q.$or = [{ updatedAt: { $lt: opts.after.updatedAt } }, { _id: { $lt: opts.after.id } }];
      }
      const rows = await KbArticle.find(q).select(SUMMARY_FIELDS).sort({ updatedAt: -1, _id: -1 }).limit(opts.limit + 1).lean<KbArticleSummary[]>().exec();
      return { items: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit };
    },

    /** A filter's articles by title (a category's page), at most `limit`. */
    listByTitle(filter: KbArticleFilter, limit: number): Promise<KbArticleSummary[]> {
      return KbArticle.find(queryOf(filter)).select(SUMMARY_FIELDS).sort({ title: 1, _id: 1 }).limit(limit).lean<KbArticleSummary[]>().exec();
    },

    /** Up to `limit` articles matching a search filter, most recently changed first. */
    search(filter: KbArticleFilter, limit: number): Promise<KbArticleSummary[]> {
      return KbArticle.find(queryOf(filter)).select(SUMMARY_FIELDS).sort({ updatedAt: -1, _id: -1 }).limit(limit).lean<KbArticleSummary[]>().exec();
    },

    /** Up to `limit` articles matching a filter with their search terms, to be scored (suggested articles); most recently changed first. */
    suggestionCandidates(filter: KbArticleFilter, limit: number): Promise<KbSuggestionCandidate[]> {
      return KbArticle.find(queryOf(filter))
        .select({ title: 1, slug: 1, language: 1, visibility: 1, searchTerms: 1 })
        .sort({ updatedAt: -1, _id: -1 })
        .limit(limit)
        .lean<KbSuggestionCandidate[]>()
        .exec();
    },

    /** How many articles of the scope each category holds (categories with none are left out). */
    async countByCategory(scope: KbScope, language?: KbLanguage): Promise<Map<string, number>> {
      const rows = await KbArticle.aggregate<{ _id: Types.ObjectId | null; n: number }>([
        { $match: queryOf({ scope, ...(language ? { language } : {}) }) },
        { $group: { _id: '$categoryId', n: { $sum: 1 } } },
      ]).exec();
      return new Map(rows.map((r) => [r._id ? r._id.toHexString() : '', r.n]));
    },

    /** Every article, whole, by language and slug, read a batch at a time (the export). */
    async *all(): AsyncGenerator<KbArticleDoc> {
      for await (const doc of KbArticle.find().sort({ language: 1, slug: 1 }).lean<KbArticleDoc[]>().cursor({ batchSize: 200 })) yield doc as KbArticleDoc;
    },

    /** Some articles by id, as lists show them (the stats table's rows). */
    findSummaries(ids: readonly Types.ObjectId[]): Promise<KbArticleSummary[]> {
      return KbArticle.find({ _id: { $in: [...ids] } }).select(SUMMARY_FIELDS).lean<KbArticleSummary[]>().exec();
    },

    /** Whether any article is in this category. */
    async existsInCategory(categoryId: Types.ObjectId): Promise<boolean> {
      return (await KbArticle.exists({ categoryId })) !== null;
    },

    /** Adds one to a counter of an article in the scope; false when there is no such article. */
    async bump(id: Types.ObjectId, scope: KbScope, counter: keyof KbCounters): Promise<boolean> {
      const res = await KbArticle.updateOne({ _id: id, status: one<KbStatus>(scope.statuses), visibility: one<KbVisibility>(scope.visibilities) }, { $inc: { [`counters.${counter}`]: 1 } }, { timestamps: false });
      return res.matchedCount === 1;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type KbArticleStore = ReturnType<typeof createKbArticleStore>;
