import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { CategoryStore } from '../../store/category-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { CategoryDoc } from '../../store/models/category.js';
import { notFound, parseObjectId, requireAdmin, visibleInboxIds, type Actor } from '../access.js';
import { inputIssue, issueMessage, parseInput } from '../validate.js';

/** The longest category name. */
export const CATEGORY_NAME_MAX = 80;

/** A category as the API and the pages show it. */
export interface CategoryView {
  id: string;
  name: string;
  /** null: a category of every inbox. */
  inboxId: string | null;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type CategoryDeps = {
  categories: Pick<CategoryStore, 'findById' | 'listAll' | 'listForInboxes' | 'findByName' | 'create' | 'update'>;
  inboxes: Pick<InboxStore, 'findName'>;
};

const name = z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(CATEGORY_NAME_MAX);
const inboxId = z.string().nullable();
export const createCategorySchema = z.strictObject({ name, inboxId: inboxId.optional(), archived: z.boolean().optional() });
export const updateCategorySchema = z.strictObject({ name: name.optional(), inboxId: inboxId.optional(), archived: z.boolean().optional() });

export const toCategoryView = (c: CategoryDoc): CategoryView => ({
  id: c._id.toHexString(),
  name: c.name,
  inboxId: c.inboxId?.toHexString() ?? null,
  archived: c.archived ?? false,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

const invalid = (path: string, key: string, english: string, params?: Record<string, unknown>) =>
  new AppError('VALIDATION_FAILED', 'Category is invalid', { details: { issues: [inputIssue(path, key, english, params)] }, key: 'input.invalid', params: { what: 'Category' } });

/** The inbox a category belongs to: null for every inbox, else an existing inbox (VALIDATION_FAILED naming `inboxId`). */
async function scopeOf(deps: Pick<CategoryDeps, 'inboxes'>, value: string | null | undefined): Promise<Types.ObjectId | null> {
  if (value === null || value === undefined || value === '') return null;
  const id = parseObjectId(value);
  if (!id) throw invalid('inboxId', 'issue.inboxId', 'must be an inbox id');
  if (!(await deps.inboxes.findName(id))) throw invalid('inboxId', 'issue.inboxMissing', 'names an inbox that does not exist');
  return id;
}

/** CONFLICT when another category of the same scope already has this name. */
async function checkNameFree(deps: Pick<CategoryDeps, 'categories'>, scope: Types.ObjectId | null, categoryName: string, self?: Types.ObjectId) {
  const other = await deps.categories.findByName(scope, categoryName);
  if (other && !(self && other._id.equals(self))) {
    throw new AppError('CONFLICT', `A category named ${categoryName} already exists here`, { key: 'conflict.categoryNameTaken', params: { name: categoryName } });
  }
}

/**
 * The categories an actor may see: the global ones and those of their inboxes (admins: all), global
 * first, then by inbox and name. Archived ones are listed too (they stay on tickets), marked.
 */
export async function listCategories(deps: Pick<CategoryDeps, 'categories'>, actor: Actor): Promise<CategoryView[]> {
  const visible = visibleInboxIds(actor);
  const items = visible === 'all' ? await deps.categories.listAll() : await deps.categories.listForInboxes(visible);
  return items.map(toCategoryView);
}

/** Adds a category (admins): name unique within its scope (one inbox, or every inbox). */
export async function createCategory(deps: CategoryDeps, actor: Actor, input: unknown): Promise<CategoryView> {
  requireAdmin(actor);
  const fields = parseInput(createCategorySchema, input, 'Category');
  const scope = await scopeOf(deps, fields.inboxId);
  await checkNameFree(deps, scope, fields.name);
  return toCategoryView(await deps.categories.create({ name: fields.name, inboxId: scope, archived: fields.archived ?? false }));
}

/** Renames, moves, archives or restores a category (admins). Tickets keep it either way. */
export async function updateCategory(deps: CategoryDeps, actor: Actor, id: string, input: unknown): Promise<CategoryView> {
  requireAdmin(actor);
  const categoryId = parseObjectId(id);
  const current = categoryId ? await deps.categories.findById(categoryId) : null;
  if (!current) throw notFound('Category');
  const fields = parseInput(updateCategorySchema, input, 'Category');
  const scope = fields.inboxId !== undefined ? await scopeOf(deps, fields.inboxId) : current.inboxId;
  const newName = fields.name ?? current.name;
  if (newName !== current.name || String(scope) !== String(current.inboxId)) await checkNameFree(deps, scope, newName, current._id);
  const updated = await deps.categories.update(current._id, {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.inboxId !== undefined ? { inboxId: scope } : {}),
    ...(fields.archived !== undefined ? { archived: fields.archived } : {}),
  });
  if (!updated) throw notFound('Category');
  return toCategoryView(updated);
}

/** Archives (or restores) a category (admins): it stays on tickets but cannot be chosen. */
export function archiveCategory(deps: CategoryDeps, actor: Actor, id: string, archived = true): Promise<CategoryView> {
  return updateCategory(deps, actor, id, { archived });
}

/**
 * Whether a category can be chosen for a ticket of this inbox: it exists, is not archived, and
 * belongs to every inbox or to this one.
 */
export function choosableFor(category: Pick<CategoryDoc, 'inboxId' | 'archived'> | null, ticketInboxId: Types.ObjectId): boolean {
  return Boolean(category && !category.archived && (category.inboxId === null || category.inboxId === undefined || category.inboxId.equals(ticketInboxId)));
}
