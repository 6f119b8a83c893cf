import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { SavedViewDoc } from '../../store/models/saved-view.js';
import type { SavedViewStore } from '../../store/saved-view-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { filtersOf, type ListFilters } from '../tickets/count-views.js';
import { querySchema } from '../tickets/list-tickets.js';
import { issueMessage, parseInput } from '../validate.js';

/** A view's name is at most this long, and a user keeps at most `perUser` views. */
export const SAVED_VIEW_LIMITS = { name: 60, perUser: 20 } as const;

/** A saved view as the API and the pages show it. */
export interface SavedViewView {
  id: string;
  name: string;
  filters: ListFilters;
  createdAt: Date;
  updatedAt: Date;
}

const name = z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(SAVED_VIEW_LIMITS.name, `is longer than ${SAVED_VIEW_LIMITS.name} characters`);
/** The filters as the list takes them; checked with the list's own schema, stored as given (without empty ones). */
const filters = z
  .record(z.string(), z.unknown())
  .transform((f) => filtersOf(f))
  .superRefine((f, ctx) => {
    const parsed = querySchema.safeParse(f);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message } as never);
  });
export const createSchema = z.strictObject({ name, filters: filters.default({}) });
export const updateSchema = z.strictObject({ name: name.optional(), filters: filters.optional() });

type SavedViewDeps = { savedViews: Pick<SavedViewStore, 'listByUser' | 'countByUser' | 'create' | 'update' | 'deleteOwned'> };

const toView = (v: SavedViewDoc): SavedViewView => ({ id: v._id.toHexString(), name: v.name, filters: { ...v.filters }, createdAt: v.createdAt, updatedAt: v.updatedAt });

/** The user behind the actor: only a signed-in user has views of their own. */
function ownerOf(actor: Actor) {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has saved views', { key: 'forbidden.viewsNeedUser' });
  return actor.userId;
}

/** The actor's own saved views, by name. */
export async function listSavedViews(deps: Pick<SavedViewDeps, 'savedViews'>, actor: Actor): Promise<SavedViewView[]> {
  if (!actor.userId) return [];
  return (await deps.savedViews.listByUser(actor.userId)).map(toView);
}

/** Saves a filter combination under a name for the actor; at most 20 per user (409). */
export async function createSavedView(deps: SavedViewDeps, actor: Actor, input: unknown): Promise<SavedViewView> {
  const userId = ownerOf(actor);
  const fields = parseInput(createSchema, input, 'View');
  if ((await deps.savedViews.countByUser(userId)) >= SAVED_VIEW_LIMITS.perUser) {
    throw new AppError('CONFLICT', `A user can have at most ${SAVED_VIEW_LIMITS.perUser} saved views`, { key: 'conflict.savedViewLimit', params: { max: SAVED_VIEW_LIMITS.perUser } });
  }
  return toView(await deps.savedViews.create({ userId, name: fields.name, filters: fields.filters }));
}

/** Renames a view of the actor (or replaces its filters); someone else's view is NOT_FOUND. */
export async function updateSavedView(deps: SavedViewDeps, actor: Actor, id: string, input: unknown): Promise<SavedViewView> {
  const userId = ownerOf(actor);
  const viewId = parseObjectId(id);
  if (!viewId) throw notFound('Saved view');
  const fields = parseInput(updateSchema, input, 'View');
  const updated = await deps.savedViews.update(viewId, userId, {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.filters !== undefined ? { filters: fields.filters } : {}),
  });
  if (!updated) throw notFound('Saved view');
  return toView(updated);
}

/** Deletes a view of the actor; someone else's view is NOT_FOUND. */
export async function deleteSavedView(deps: SavedViewDeps, actor: Actor, id: string): Promise<void> {
  const userId = ownerOf(actor);
  const viewId = parseObjectId(id);
  if (!viewId || !(await deps.savedViews.deleteOwned(viewId, userId))) throw notFound('Saved view');
}
