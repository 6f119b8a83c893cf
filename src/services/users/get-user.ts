import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import type { UserAdminDeps } from './list-users.js';
import { toUserView, type UserView } from './user-view.js';

/** One user by id (admins only); an unknown or malformed id is NOT_FOUND. */
export async function getUser(deps: Pick<UserAdminDeps, 'models'>, actor: Actor, userId: string): Promise<UserView> {
  requireAdmin(actor);
  const id = parseObjectId(userId);
  const user = id ? await deps.models.User.findById(id).lean() : null;
  if (!user) throw notFound('User');
  return toUserView(user);
}
