import type { Logger } from 'pino';
import { KB_LANGUAGES, PUBLIC_SCOPE, type KbLanguage } from '../../domain/kb-articles.js';
import { helpArticleUrl, suggestArticles, type SuggestArticlesDeps } from '../kb/suggest-articles.js';

/** The longest an auto-reply waits for its suggested articles; it goes without them after that. */
export const AUTO_REPLY_ARTICLES_TIMEOUT_MS = 2000;

/** What the auto-reply's suggested articles need; without `kbArticles` or a public address there are none. */
export interface AutoReplyArticlesDeps {
  kbArticles?: SuggestArticlesDeps['kbArticles'];
  /** `PUBLIC_URL`: the help center's links start with it. */
  publicUrl?: string | null;
  logger: Pick<Logger, 'warn'>;
}

/** An article as the auto-reply template lists it. */
export interface AutoReplyArticle {
  title: string;
  url: string;
}

/**
 * Up to three published public articles of the help center, in the customer's language, that answer
 * the mail (src/domain/kb-suggestions.ts), as title and absolute link. Never in the way of the
 * acknowledgement: none when the inbox turned them off, without a public address, when the
 * knowledge base is empty, fails or is slower than {@link AUTO_REPLY_ARTICLES_TIMEOUT_MS} (logged).
 */
export async function autoReplyArticles(
  deps: AutoReplyArticlesDeps,
  inbox: { autoReply?: { enabled?: boolean; suggestArticles?: boolean | null } | null },
  mail: { subject: string; body: string; writer?: string | null },
  locale: string,
): Promise<AutoReplyArticle[]> {
  const { kbArticles, publicUrl } = deps;
  if (!kbArticles || !publicUrl || inbox.autoReply?.suggestArticles === false) return [];
  const language = (KB_LANGUAGES as readonly string[]).includes(locale) ? (locale as KbLanguage) : null;
  if (!language) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${AUTO_REPLY_ARTICLES_TIMEOUT_MS} ms`)), AUTO_REPLY_ARTICLES_TIMEOUT_MS);
    });
    const found = await Promise.race([suggestArticles({ kbArticles }, mail, { scope: PUBLIC_SCOPE, language }), timeout]);
    return found.flatMap((a) => {
      const url = helpArticleUrl(publicUrl, a.path);
      return url ? [{ title: a.title, url }] : [];
    });
  } catch (err) {
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'suggested articles left out of an auto-reply');
    return [];
  } finally {
    clearTimeout(timer);
  }
}
