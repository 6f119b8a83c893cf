import type { KbLanguage, KbStatus, KbVisibility } from '../../domain/kb-articles.js';
import type { KbArticleSummary } from '../../store/kb-article-store.js';
import type { KbArticleDoc } from '../../store/models/kb-article.js';
import type { KbCategoryDoc } from '../../store/models/kb-category.js';
import type { KbRevisionDoc } from '../../store/models/kb-revision.js';

/** An article in a list or a search result. */
export interface KbArticleSummaryView {
  id: string;
  title: string;
  slug: string;
  language: KbLanguage;
  excerpt: string;
  categoryId: string | null;
  tags: string[];
  visibility: KbVisibility;
  status: KbStatus;
  revision: number;
  publishedAt: Date | null;
  updatedAt: Date;
  helpful: { yes: number; no: number };
}

/** A whole article: its Markdown and the sanitized HTML rendered from it. */
export interface KbArticleView extends KbArticleSummaryView {
  body: string;
  html: string;
  authorId: string | null;
  updatedById: string | null;
  createdAt: Date;
  /** The ticket it was drafted from (hex id); null otherwise. */
  sourceTicketId: string | null;
}

/** One saved version of an article. */
export interface KbRevisionView {
  number: number;
  title: string;
  body: string;
  editorId: string | null;
  at: Date;
  restoredFrom: number | null;
}

/** A category. */
export interface KbCategoryView {
  id: string;
  name: string;
  description: string | null;
  language: KbLanguage;
  slug: string;
  position: number;
}

/** Maps a list row. */
export function toSummaryView(a: KbArticleSummary): KbArticleSummaryView {
  return {
    id: a._id.toHexString(),
    title: a.title,
    slug: a.slug,
    language: a.language,
    excerpt: a.excerpt,
    categoryId: a.categoryId ? a.categoryId.toHexString() : null,
    tags: a.tags ?? [],
    visibility: a.visibility,
    status: a.status,
    revision: a.revision,
    publishedAt: a.publishedAt ?? null,
    updatedAt: a.updatedAt,
    helpful: { yes: a.counters?.helpfulYes ?? 0, no: a.counters?.helpfulNo ?? 0 },
  };
}

/** Maps a whole article. */
export function toArticleView(a: KbArticleDoc): KbArticleView {
  return {
    ...toSummaryView(a),
    body: a.body,
    html: a.html,
    authorId: a.authorId ? a.authorId.toHexString() : null,
    updatedById: a.updatedById ? a.updatedById.toHexString() : null,
    createdAt: a.createdAt,
    sourceTicketId: a.sourceTicketId ? a.sourceTicketId.toHexString() : null,
  };
}

/** Maps a revision. */
export function toRevisionView(r: KbRevisionDoc): KbRevisionView {
  return { number: r.number, title: r.title, body: r.body, editorId: r.editorId ? r.editorId.toHexString() : null, at: r.at, restoredFrom: r.restoredFrom ?? null };
}

/** Maps a category. */
export function toCategoryView(c: KbCategoryDoc): KbCategoryView {
  return { id: c._id.toHexString(), name: c.name, description: c.description ?? null, language: c.language, slug: c.slug, position: c.position };
}
