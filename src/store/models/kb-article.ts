import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { KB_LANGUAGES, KB_STATUSES, KB_VISIBILITIES, type KbLanguage, type KbStatus, type KbVisibility } from '../../domain/kb-articles.js';

/** Per-article counters of the help center: helpful votes now; views and "still need help" clicks later. */
export interface KbCounters {
  helpfulYes: number;
  helpfulNo: number;
}

/**
 * A knowledge base article (`kb_articles`): Markdown as written, the sanitized HTML rendered from it
 * on save (pages never render per view), and the search terms of src/domain/kb-articles.ts.
 */
export interface KbArticleDoc {
  _id: Types.ObjectId;
  title: string;
  /** Unique within its language; the help center's address (`/help/<language>/<slug>`). */
  slug: string;
  language: KbLanguage;
  body: string;
  html: string;
  /** A plain-text start of the body, for lists and search results. */
  excerpt: string;
  categoryId: Types.ObjectId | null;
  tags: string[];
  visibility: KbVisibility;
  status: KbStatus;
  authorId: Types.ObjectId | null;
  updatedById: Types.ObjectId | null;
  /** The number of the latest revision (`kb_revisions`); 1 for a new article. */
  revision: number;
  searchTerms: string[];
  searchVersion: number;
  /** When it was first published; null while it never was. */
  publishedAt: Date | null;
  counters: KbCounters;
  /** The ticket it was drafted from ("Create article from this ticket"), shown to agents; null otherwise. */
  sourceTicketId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const kbArticleSchema = new Schema<KbArticleDoc>(
  {
    title: { type: String, required: true },
    slug: { type: String, required: true },
    language: { type: String, enum: KB_LANGUAGES, required: true },
    body: { type: String, required: true },
    html: { type: String, required: true },
    excerpt: { type: String, default: '' },
    categoryId: { type: Schema.Types.ObjectId, ref: 'KbCategory', default: null },
    tags: { type: [String], default: [] },
    visibility: { type: String, enum: KB_VISIBILITIES, required: true },
    status: { type: String, enum: KB_STATUSES, required: true },
    authorId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    updatedById: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    revision: { type: Number, required: true, default: 1 },
    searchTerms: { type: [String], default: [] },
    searchVersion: { type: Number, default: 0 },
    publishedAt: { type: Date, default: null },
    sourceTicketId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    counters: {
      helpfulYes: { type: Number, default: 0 },
      helpfulNo: { type: Number, default: 0 },
    },
  },
  { timestamps: true, collection: 'kb_articles' },
);
// The help center's address of an article.
kbArticleSchema.index({ language: 1, slug: 1 }, { unique: true });
// Searches: equality, `$in` or an `$elemMatch` prefix range on the multikey terms (as tickets).
kbArticleSchema.index({ searchTerms: 1 });
// The agent list, newest change first, with or without a status filter.
kbArticleSchema.index({ updatedAt: -1, _id: -1 });
kbArticleSchema.index({ status: 1, updatedAt: -1, _id: -1 });
// A category's articles by title (the help center's category pages, the agent list's filter).
kbArticleSchema.index({ categoryId: 1, status: 1, title: 1, _id: 1 });

export type KbArticleModel = Model<KbArticleDoc>;

export function kbArticleModel(conn: Connection): KbArticleModel {
  return conn.model<KbArticleDoc>('KbArticle', kbArticleSchema);
}
