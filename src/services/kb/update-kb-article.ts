import { normalizeTags } from '../../domain/kb-articles.js';
import type { KbArticleChanges, KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { KbRevisionStore } from '../../store/kb-revision-store.js';
import { notFound, type Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { articleContent, checkedCategory } from './article-content.js';
import { articleFor, requireKbEditor } from './kb-access.js';
import { updateKbArticleSchema } from './kb-schemas.js';
import { toArticleView, type KbArticleView } from './kb-views.js';

export type UpdateKbArticleDeps = {
  kbArticles: Pick<KbArticleStore, 'findById' | 'saveRevision' | 'setFields'>;
  kbRevisions: Pick<KbRevisionStore, 'add'>;
  kbCategories: Pick<KbCategoryStore, 'findById'>;
  now: () => Date;
};

/**
 * Changes an article (editors only). A new title or text is saved as the next revision; a change of
 * status, visibility, category or tags alone makes none. The first publication sets `publishedAt`.
 */
export async function updateKbArticle(deps: UpdateKbArticleDeps, actor: Actor, id: string, input: unknown): Promise<KbArticleView> {
  requireKbEditor(actor);
  const article = await articleFor(deps, actor, id);
  const fields = parseInput(updateKbArticleSchema, input, 'Article');
  const now = deps.now();
  const changes: KbArticleChanges = {};
  if (fields.visibility) changes.visibility = fields.visibility;
  if (fields.status) changes.status = fields.status;
  if (fields.categoryId !== undefined) changes.categoryId = await checkedCategory(deps, fields.categoryId, article.language);
  const title = fields.title ?? article.title;
  const body = fields.body ?? article.body;
  const tags = fields.tags ? normalizeTags(fields.tags) : article.tags;
  if (fields.tags) changes.tags = tags;
  const publishedAt = changes.status === 'published' && !article.publishedAt ? now : undefined;
  const newText = title !== article.title || body !== article.body;
  if (newText || fields.tags) Object.assign(changes, { title, body }, articleContent({ title, body, tags }));
  let saved;
  if (newText) {
    saved = await deps.kbArticles.saveRevision(article._id, changes, actor.userId, publishedAt);
    if (saved) await deps.kbRevisions.add({ articleId: article._id, number: saved.revision, title, body, editorId: actor.userId, at: now, restoredFrom: null });
  } else {
    const { title: _t, body: _b, ...rest } = changes;
    saved = await deps.kbArticles.setFields(article._id, { ...rest, updatedById: actor.userId, ...(publishedAt ? { publishedAt } : {}) });
  }
  if (!saved) throw notFound('Article');
  return toArticleView(saved);
}
