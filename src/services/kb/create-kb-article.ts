import type { Types } from 'mongoose';
import { normalizeTags, slugify, uniqueSlug } from '../../domain/kb-articles.js';
import { AppError } from '../../domain/errors.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { KbRevisionStore } from '../../store/kb-revision-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { articleContent, checkedCategory } from './article-content.js';
import { requireKbEditor } from './kb-access.js';
import { createKbArticleSchema } from './kb-schemas.js';
import { toArticleView, type KbArticleView } from './kb-views.js';

export type CreateKbArticleDeps = {
  kbArticles: Pick<KbArticleStore, 'create' | 'slugsLike'>;
  kbRevisions: Pick<KbRevisionStore, 'add'>;
  kbCategories: Pick<KbCategoryStore, 'findById'>;
  now: () => Date;
};

/**
 * Writes a new article (editors only) as revision 1. Its address is its title's slug, made unique
 * in its language (`-2`, `-3`…) and kept from then on, so links to it stay good. `opts.sourceTicketId`: the ticket it
 * was drafted from (the caller checked the actor may see it).
 */
export async function createKbArticle(deps: CreateKbArticleDeps, actor: Actor, input: unknown, opts: { sourceTicketId?: Types.ObjectId } = {}): Promise<KbArticleView> {
  requireKbEditor(actor);
  const fields = parseInput(createKbArticleSchema, input, 'Article');
  const categoryId = await checkedCategory(deps, fields.categoryId ?? null, fields.language);
  const tags = normalizeTags(fields.tags ?? []);
  const base = slugify(fields.title);
  const now = deps.now();
  // Two editors may take the same slug at once: the unique index refuses one, which tries the next.
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = uniqueSlug(base, await deps.kbArticles.slugsLike(fields.language, base));
    const created = await deps.kbArticles.create({
      title: fields.title,
      body: fields.body,
      slug,
      language: fields.language,
      categoryId,
      tags,
      visibility: fields.visibility,
      status: fields.status,
      ...articleContent({ title: fields.title, body: fields.body, tags }),
      authorId: actor.userId,
      publishedAt: fields.status === 'published' ? now : null,
      ...(opts.sourceTicketId ? { sourceTicketId: opts.sourceTicketId } : {}),
    });
    if (!created) continue;
    await deps.kbRevisions.add({ articleId: created._id, number: 1, title: created.title, body: created.body, editorId: actor.userId, at: now, restoredFrom: null });
    return toArticleView(created);
  }
  throw new AppError('CONFLICT', 'Another article took this address at the same time; try again', { key: 'conflict.kbSlug' });
}
