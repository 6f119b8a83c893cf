import { categorySlug } from '../../domain/kb-articles.js';
import { AppError } from '../../domain/errors.js';
import type { KbCategoryStore } from '../../store/kb-category-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { requireKbCategoryManager } from './kb-access.js';
import { createKbCategorySchema } from './kb-schemas.js';
import { toCategoryView, type KbCategoryView } from './kb-views.js';

/** A taken name: two categories of a language may not share an address. */
export function categoryTaken(): AppError {
  return new AppError('CONFLICT', 'A category of this language already has this name', { key: 'conflict.kbCategoryName' });
}

/** Adds a category (admins and managers); its name is unique within its language (409). */
export async function createKbCategory(deps: { kbCategories: Pick<KbCategoryStore, 'create'> }, actor: Actor, input: unknown): Promise<KbCategoryView> {
  requireKbCategoryManager(actor);
  const fields = parseInput(createKbCategorySchema, input, 'Category');
  const created = await deps.kbCategories.create({
    name: fields.name,
    description: fields.description || null,
    language: fields.language,
    slug: categorySlug(fields.name),
    position: fields.position ?? 0,
  });
  if (!created) throw categoryTaken();
  return toCategoryView(created);
}
