import type { KbLanguage } from '../../domain/kb-articles.js';
import type { KbArticleSummary } from '../../store/kb-article-store.js';

/** An article as the public help center lists it. */
export interface HelpArticleSummary {
  id: string;
  title: string;
  slug: string;
  language: KbLanguage;
  excerpt: string;
  /** Its page, relative to Threadline's address. */
  url: string;
}

/** The help center address of an article. */
export const helpArticlePath = (language: string, slug: string) => `/help/${encodeURIComponent(language)}/${encodeURIComponent(slug)}`;

/** Maps a row for the public: no status, author, counters or tags. */
export function toHelpSummary(a: KbArticleSummary): HelpArticleSummary {
  return { id: a._id.toHexString(), title: a.title, slug: a.slug, language: a.language, excerpt: a.excerpt, url: helpArticlePath(a.language, a.slug) };
}
