import { KB_LANGUAGES, PUBLIC_SCOPE, type KbLanguage } from '../../domain/kb-articles.js';
import type { SearchQueryProblem } from '../../domain/search-query.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import { inputIssue, invalidInput } from '../validate.js';
import { searchArticles } from './kb-search.js';
import { toHelpSummary, type HelpArticleSummary } from './help-views.js';

/** At most this many results per search. */
export const HELP_SEARCH_LIMIT = 20;
/** Longer searches are cut (the parser refuses more than a dozen words anyway). */
const MAX_QUERY = 200;

/**
 * The public help center's search (no sign-in): published public articles only, in one language
 * or both, title matches first. A search without a usable word finds nothing and says why.
 */
export async function searchHelp(deps: { kbArticles: Pick<KbArticleStore, 'search'> }, query: { q?: unknown; lang?: unknown }): Promise<{ items: HelpArticleSummary[]; problem: SearchQueryProblem | null }> {
  const q = typeof query.q === 'string' ? query.q.slice(0, MAX_QUERY) : '';
  const lang = typeof query.lang === 'string' && query.lang !== '' ? query.lang : undefined;
  if (lang !== undefined && !(KB_LANGUAGES as readonly string[]).includes(lang)) throw invalidInput([inputIssue('lang', 'issue.kbLanguage', 'must be en or fr')], 'Search');
  if (!q.trim()) return { items: [], problem: 'noWord' };
  const found = await searchArticles(deps, { scope: PUBLIC_SCOPE, ...(lang ? { language: lang as KbLanguage } : {}) }, q, HELP_SEARCH_LIMIT);
  return { items: found.items.map(toHelpSummary), problem: found.problem };
}
