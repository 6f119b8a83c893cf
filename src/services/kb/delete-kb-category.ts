import { AppError } from '../../domain/errors.js';
import type { KbArticleStore } from '../../store/kb-article-store.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { requireKbCategoryManager } from './kb-access.js';

/** Removes an empty category (admins and managers); one still holding articles is 409. */
export async function deleteKbCategory(
  deps: { kbCategories: Pick<KbCategoryStore, 'findById' | 'deleteById'>; kbArticles: Pick<KbArticleStore, 'existsInCategory'> },
  actor: Actor,
  id: string,
): Promise<void> {
  requireKbCategoryManager(actor);
  const categoryId = parseObjectId(id);
  const category = categoryId ? await deps.kbCategories.findById(categoryId) : null;
  if (!category) throw notFound('Knowledge base category');
  if (await deps.kbArticles.existsInCategory(category._id)) throw new AppError('CONFLICT', 'This category still holds articles: move them first', { key: 'conflict.kbCategoryInUse' });
  await deps.kbCategories.deleteById(category._id);
}
