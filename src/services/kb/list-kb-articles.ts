import type { Types } from 'mongoose';
import { agentScope, KB_LANGUAGES, KB_STATUSES, type KbLanguage, type KbStatus } from '../../domain/kb-articles.js';
import type { SearchQueryProblem } from '../../domain/search-query.js';
import type { KbArticleFilter, KbArticleStore } from '../../store/kb-article-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { inputIssue, invalidInput } from '../validate.js';
import { searchArticles } from './kb-search.js';
import { toSummaryView, type KbArticleSummaryView } from './kb-views.js';

/** The filters of the article list (the page's and the API's query string). */
export interface KbListQuery {
  status?: string;
  language?: string;
  /** A category id, or `none` for articles of no category. */
  category?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

/** One page of the list: newest change first (a search: title matches first, one page). */
export interface KbListPage {
  items: KbArticleSummaryView[];
  nextCursor: string | null;
  /** Why the search could not run, when it could not. */
  searchProblem: SearchQueryProblem | null;
}

export type ListKbArticlesDeps = { kbArticles: Pick<KbArticleStore, 'list' | 'search'> };

const encodeCursor = (a: { updatedAt: Date; _id: Types.ObjectId }) => Buffer.from(`${a.updatedAt.getTime()}:${a._id.toHexString()}`).toString('base64url');

function decodeCursor(cursor: string): { updatedAt: Date; id: Types.ObjectId } {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const objectId = parseObjectId(id);
  if (!objectId || !/^\d{1,15}$/.test(ms ?? '')) throw invalidInput([inputIssue('cursor', 'issue.cursor', 'is not a cursor this list gave')], 'Article list');
  return { updatedAt: new Date(Number(ms)), id: objectId };
}

/**
 * The articles a signed-in user may see (editors: every status; other agents: published, internal
 * ones too), filtered by status, language, category and words.
 */
export async function listKbArticles(deps: ListKbArticlesDeps, actor: Actor, query: KbListQuery): Promise<KbListPage> {
  const issues = [];
  if (query.status && !(KB_STATUSES as readonly string[]).includes(query.status)) issues.push(inputIssue('status', 'issue.kbStatus', 'must be draft, published or archived'));
  if (query.language && !(KB_LANGUAGES as readonly string[]).includes(query.language)) issues.push(inputIssue('language', 'issue.kbLanguage', 'must be en or fr'));
  const categoryId = query.category === 'none' ? null : query.category ? parseObjectId(query.category) : undefined;
  if (query.category && query.category !== 'none' && !categoryId) issues.push(inputIssue('category', 'issue.kbCategoryId', 'must be a category id'));
  if (issues.length) throw invalidInput(issues, 'Article list');
  const filter: KbArticleFilter = {
    scope: agentScope(actor),
    ...(query.status ? { status: query.status as KbStatus } : {}),
    ...(query.language ? { language: query.language as KbLanguage } : {}),
    ...(categoryId !== undefined ? { categoryId } : {}),
  };
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  if (query.q?.trim()) {
    const found = await searchArticles(deps, filter, query.q, limit);
    return { items: found.items.map(toSummaryView), nextCursor: null, searchProblem: found.problem };
  }
  const page = await deps.kbArticles.list(filter, { limit, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) });
  const last = page.items.at(-1);
  return { items: page.items.map(toSummaryView), nextCursor: page.hasMore && last ? encodeCursor(last) : null, searchProblem: null };
}
