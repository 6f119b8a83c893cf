import type { Logger } from 'pino';
import type { Models } from '../../store/models/index.js';
import { requireAdmin, type Actor } from '../access.js';
import { toUserView, type UserView } from './user-view.js';

/** What the user-management use cases need. */
export interface UserAdminDeps {
  models: Pick<Models, 'User' | 'Inbox' | 'WebSession' | 'ApiToken' | 'PasswordToken'>;
  now: () => Date;
  logger: Logger;
}

/** Every user, by email (admins only). */
export async function listUsers(deps: Pick<UserAdminDeps, 'models'>, actor: Actor): Promise<UserView[]> {
  requireAdmin(actor);
  const users = await deps.models.User.find().sort({ email: 1 }).lean();
  return users.map(toUserView);
}
