import type { UserStore } from '../../store/user-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { toUserView, type UserView } from './user-view.js';

/** One user by id (admins only); an unknown or malformed id is NOT_FOUND. */
export async function getUser(deps: { users: Pick<UserStore, 'findById'> }, actor: Actor, userId: string): Promise<UserView> {
  requireAdmin(actor);
  const id = parseObjectId(userId);
  const user = id ? await deps.users.findById(id) : null;
  if (!user) throw notFound('User');
  return toUserView(user);
}
