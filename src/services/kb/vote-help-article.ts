import { PUBLIC_SCOPE } from '../../domain/kb-articles.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import { notFound, parseObjectId } from '../access.js';

/**
 * "Was this helpful?" on the help center: one more yes or no on a published public article. Nothing
 * about the reader is stored; the edge limits how often one address may vote.
 */
export async function voteHelpArticle(deps: { kbArticles: Pick<KbArticleStore, 'bump'> }, id: string, helpful: boolean): Promise<void> {
  const articleId = parseObjectId(id);
  if (!articleId || !(await deps.kbArticles.bump(articleId, PUBLIC_SCOPE, helpful ? 'helpfulYes' : 'helpfulNo'))) throw notFound('Article');
}
