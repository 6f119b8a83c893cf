import { categorySlug } from '../../domain/kb-articles.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { categoryTaken } from './create-kb-category.js';
import { requireKbCategoryManager } from './kb-access.js';
import { updateKbCategorySchema } from './kb-schemas.js';
import { toCategoryView, type KbCategoryView } from './kb-views.js';

/** Renames, describes or moves a category (admins and managers); a new name moves its address too. */
export async function updateKbCategory(deps: { kbCategories: Pick<KbCategoryStore, 'update'> }, actor: Actor, id: string, input: unknown): Promise<KbCategoryView> {
  requireKbCategoryManager(actor);
  const categoryId = parseObjectId(id);
  if (!categoryId) throw notFound('Knowledge base category');
  const fields = parseInput(updateKbCategorySchema, input, 'Category');
  const changes = {
    ...(fields.name ? { name: fields.name, slug: categorySlug(fields.name) } : {}),
    ...(fields.description !== undefined ? { description: fields.description || null } : {}),
    ...(fields.position !== undefined ? { position: fields.position } : {}),
  };
  const saved = await deps.kbCategories.update(categoryId, changes);
  if (saved === 'taken') throw categoryTaken();
  if (!saved) throw notFound('Knowledge base category');
  return toCategoryView(saved);
}
