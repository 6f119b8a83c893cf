import type { KbLanguage, KbScope } from '../../domain/kb-articles.js';
import { mailWords, pickSuggestions, SUGGESTION_LIMITS, suggestionTerms } from '../../domain/kb-suggestions.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import { helpArticlePath } from './help-views.js';

/** One suggested article. */
export interface SuggestedArticle {
  id: string;
  title: string;
  slug: string;
  language: KbLanguage;
  visibility: 'public' | 'internal';
  /** The help center's address (`/help/<language>/<slug>`), relative. */
  path: string;
  relevance: number;
}

/** What suggestions read. */
export type SuggestArticlesDeps = { kbArticles: Pick<KbArticleStore, 'suggestionCandidates'> };

/**
 * The published articles of a scope (and language) that answer a mail, best first, at most
 * `limit` (src/domain/kb-suggestions.ts). Bounded: the mail's first words only, and at most
 * {@link SUGGESTION_LIMITS.candidates} articles read, those with a word in their title first.
 */
export async function suggestArticles(
  deps: SuggestArticlesDeps,
  mail: { subject: string; body: string; writer?: string | null },
  opts: { scope: KbScope; language?: KbLanguage | null; limit?: number },
): Promise<SuggestedArticle[]> {
  // The writer's name (their greeting and sign-off) is not what the mail is about.
  const words = mailWords(mail.subject, mail.body, SUGGESTION_LIMITS.words, mail.writer ? [mail.writer] : []);
  if (words.length === 0) return [];
  const terms = suggestionTerms(words);
  const base = { scope: { ...opts.scope, statuses: ['published' as const] }, ...(opts.language ? { language: opts.language } : {}) };
  const titled = await deps.kbArticles.suggestionCandidates({ ...base, all: [{ anyOf: terms.title }] }, SUGGESTION_LIMITS.candidates / 2);
  const rest = await deps.kbArticles.suggestionCandidates({ ...base, all: [{ anyOf: terms.any }], notAll: [{ anyOf: terms.title }] }, SUGGESTION_LIMITS.candidates - titled.length);
  return pickSuggestions(words, [...titled, ...rest], opts.limit ?? SUGGESTION_LIMITS.articles).map((a) => ({
    id: a._id.toHexString(),
    title: a.title,
    slug: a.slug,
    language: a.language,
    visibility: a.visibility,
    path: helpArticlePath(a.language, a.slug),
    relevance: a.relevance,
  }));
}

/** An absolute link to a help center article, or null without a public address. */
export function helpArticleUrl(publicUrl: string | null | undefined, path: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : null;
}
