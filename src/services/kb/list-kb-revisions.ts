import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbRevisionStore } from '../../store/kb-revision-store.js';
import type { Actor } from '../access.js';
import { articleFor, requireKbEditor } from './kb-access.js';
import { toArticleView, toRevisionView, type KbArticleView, type KbRevisionView } from './kb-views.js';

/** An article's revisions, newest first (editors only). */
export async function listKbRevisions(
  deps: { kbArticles: Pick<KbArticleStore, 'findById'>; kbRevisions: Pick<KbRevisionStore, 'listByArticle'> },
  actor: Actor,
  id: string,
): Promise<{ article: KbArticleView; items: KbRevisionView[] }> {
  requireKbEditor(actor);
  const article = await articleFor(deps, actor, id);
  const items = await deps.kbRevisions.listByArticle(article._id);
  return { article: toArticleView(article), items: items.map(toRevisionView) };
}
