import type { KbArticleStore } from '../../store/kb-article-store.js';
import { notFound, type Actor } from '../access.js';
import { articleFor, requireKbEditor } from './kb-access.js';
import { toArticleView, type KbArticleView } from './kb-views.js';

/**
 * Archives an article (editors only): it leaves the help center and agents' lists but editors keep
 * it with its history, and may publish it again. Archiving twice changes nothing.
 */
export async function archiveKbArticle(deps: { kbArticles: Pick<KbArticleStore, 'findById' | 'setFields'> }, actor: Actor, id: string): Promise<KbArticleView> {
  requireKbEditor(actor);
  const article = await articleFor(deps, actor, id);
  if (article.status === 'archived') return toArticleView(article);
  const saved = await deps.kbArticles.setFields(article._id, { status: 'archived', updatedById: actor.userId });
  if (!saved) throw notFound('Article');
  return toArticleView(saved);
}
