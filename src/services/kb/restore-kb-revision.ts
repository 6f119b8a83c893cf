import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbRevisionStore } from '../../store/kb-revision-store.js';
import { notFound, type Actor } from '../access.js';
import { articleContent } from './article-content.js';
import { articleFor, requireKbEditor } from './kb-access.js';
import { toArticleView, type KbArticleView } from './kb-views.js';

export type RestoreKbRevisionDeps = {
  kbArticles: Pick<KbArticleStore, 'findById' | 'saveRevision'>;
  kbRevisions: Pick<KbRevisionStore, 'findByNumber' | 'add'>;
  now: () => Date;
};

/**
 * Brings back an older revision's title and text (editors only) as a new revision that says which
 * one it restored; the history in between stays.
 */
export async function restoreKbRevision(deps: RestoreKbRevisionDeps, actor: Actor, id: string, number: string | number): Promise<KbArticleView> {
  requireKbEditor(actor);
  const article = await articleFor(deps, actor, id);
  const n = typeof number === 'number' ? number : /^\d{1,9}$/.test(number) ? Number(number) : NaN;
  const old = Number.isInteger(n) ? await deps.kbRevisions.findByNumber(article._id, n) : null;
  if (!old) throw notFound('Revision');
  const content = articleContent({ title: old.title, body: old.body, tags: article.tags });
  const saved = await deps.kbArticles.saveRevision(article._id, { title: old.title, body: old.body, ...content }, actor.userId);
  if (!saved) throw notFound('Article');
  await deps.kbRevisions.add({ articleId: article._id, number: saved.revision, title: old.title, body: old.body, editorId: actor.userId, at: deps.now(), restoredFrom: old.number });
  return toArticleView(saved);
}
