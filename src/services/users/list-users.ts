import type { Logger } from 'pino';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { PasswordTokenStore } from '../../store/password-token-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { WebSessionStore } from '../../store/web-session-store.js';
import type { PasswordHasher } from '../ports.js';
import { requireAdmin, type Actor } from '../access.js';
import { toUserView, type UserView } from './user-view.js';

/** What the user-management use cases need. */
export interface UserAdminDeps {
  inboxes: Pick<InboxStore, 'countByIds'>;
  users: Pick<UserStore, 'listByEmail' | 'findById' | 'create' | 'countActiveAdmins' | 'updateAccount' | 'restoreAccount'>;
  webSessions: Pick<WebSessionStore, 'deleteByUser'>;
  apiTokens: Pick<ApiTokenStore, 'deleteByUser'>;
  passwordTokens: Pick<PasswordTokenStore, 'deleteByUser' | 'create'>;
  /** Hashes the password of a new user. */
  passwords: Pick<PasswordHasher, 'hash'>;
  now: () => Date;
  logger: Logger;
}

/** Every user, by email (admins only). */
export async function listUsers(deps: { users: Pick<UserStore, 'listByEmail'> }, actor: Actor): Promise<UserView[]> {
  requireAdmin(actor);
  const users = await deps.users.listByEmail();
  return users.map(toUserView);
}
