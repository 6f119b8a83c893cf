import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { Actor } from '../access.js';
import { articleFor } from './kb-access.js';
import { toArticleView, type KbArticleView } from './kb-views.js';

/** One article for a signed-in user: editors any; other agents published ones (404 otherwise). */
export async function getKbArticle(deps: { kbArticles: Pick<KbArticleStore, 'findById'> }, actor: Actor, id: string): Promise<KbArticleView> {
  return toArticleView(await articleFor(deps, actor, id));
}
