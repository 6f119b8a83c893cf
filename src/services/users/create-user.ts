import { randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { requireAdmin, type Actor } from '../access.js';
import { isDuplicateKey } from '../inboxes/create-inbox.js';
import type { UserAdminDeps } from './list-users.js';
import { createUserSchema, requireInboxesExist } from './user-schemas.js';
import { toUserView, type UserView } from './user-view.js';
import { parseInput } from '../validate.js';

/**
 * Adds a user (admins only). Without a password the account gets the argon2 hash of random bytes
 * nobody knows, so it cannot sign in until a password is set through an invite link, and a login
 * attempt against it costs the same as against any other account.
 */
export async function createUser(deps: Pick<UserAdminDeps, 'inboxes' | 'users' | 'passwords' | 'logger'>, actor: Actor, input: unknown): Promise<UserView> {
  requireAdmin(actor);
  const data = parseInput(createUserSchema, input, 'User');
  await requireInboxesExist(deps.inboxes, data.inboxIds, 'User');
  const passwordHash = await deps.passwords.hash(data.password ?? randomBytes(32).toString('base64url'));
  try {
    const user = await deps.users.create({ email: data.email, name: data.name ?? null, role: data.role, inboxIds: data.inboxIds, passwordHash });
    deps.logger.info({ userId: user._id.toHexString(), role: data.role, by: actor.userId?.toHexString() ?? 'operator', invited: !data.password }, 'user created');
    return toUserView(user);
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('CONFLICT', `A user with email ${data.email} already exists`, { key: 'conflict.emailTaken', params: { email: data.email } });
    throw err;
  }
}
