import { kbSearchTerms } from '../../domain/kb-articles.js';
import { parseSearchQuery, SearchQueryError, subjectConditions, type SearchQueryProblem, type TermCondition } from '../../domain/search-query.js';
import type { KbArticleFilter, KbArticleStore, KbArticleSummary } from '../../store/kb-article-store.js';

/** A search's articles, or why it could not run (a code the edges turn into words). */
export interface KbSearchOutcome {
  items: KbArticleSummary[];
  problem: SearchQueryProblem | null;
}

/**
 * Articles matching a search typed by a reader, within `base` (the reader's scope and filters): the
 * ticket search's own parsing (stems in English and French, folded accents, the last word also as a
 * prefix, `-excluded` words), articles whose title holds every word first, then the others. Operators
 * of the ticket list (`from:`, `status:`…) mean nothing here and are left out.
 */
export async function searchArticles(deps: { kbArticles: Pick<KbArticleStore, 'search'> }, base: KbArticleFilter, q: string, limit: number): Promise<KbSearchOutcome> {
  let words;
  let excluded: string[];
  try {
    const parsed = parseSearchQuery(q);
    words = parsed.words;
    excluded = parsed.excluded;
  } catch (err) {
    if (err instanceof SearchQueryError) return { items: [], problem: err.problem };
    throw err;
  }
  if (words.length === 0) return { items: [], problem: 'noWord' };
  const none = excluded.length ? { none: excluded } : {};
  const titled = subjectConditions(words);
  // Every match first, in one walk: when they fit in the page, the title matches are put first here.
  // A search that finds little (or nothing) thus reads the articles once, not once per ranking.
  const all = await deps.kbArticles.search({ ...base, all: words, ...none }, limit);
  if (all.length < limit) {
    const inTitle = all.filter((a) => titleHolds(a.title, titled));
    return { items: [...inTitle, ...all.filter((a) => !inTitle.includes(a))], problem: null };
  }
  // More matches than a page: the title matches first, then the others.
  const first = await deps.kbArticles.search({ ...base, all: titled, ...none }, limit);
  if (first.length >= limit) return { items: first, problem: null };
  const rest = await deps.kbArticles.search({ ...base, all: words, notAll: titled, ...none }, limit - first.length);
  return { items: [...first, ...rest], problem: null };
}

/** Whether a title holds every one of the conditions on title terms (`s:`), as the stored terms say it does. */
function titleHolds(title: string, conditions: readonly TermCondition[]): boolean {
  const terms = kbSearchTerms({ title, body: '' });
  return conditions.every((c) => (c.prefix !== undefined ? terms.some((t) => t.startsWith(c.prefix)) : c.anyOf.some((t) => terms.includes(t))));
}
