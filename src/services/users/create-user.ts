import { randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { hashPassword } from '../../store/passwords.js';
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
export async function createUser(deps: UserAdminDeps, actor: Actor, input: unknown): Promise<UserView> {
  requireAdmin(actor);
  const data = parseInput(createUserSchema, input, 'User');
  await requireInboxesExist(deps.models, data.inboxIds, 'User');
  const passwordHash = await hashPassword(data.password ?? randomBytes(32).toString('base64url'));
  try {
    const doc = await deps.models.User.create({ email: data.email, name: data.name ?? null, role: data.role, inboxIds: data.inboxIds, passwordHash });
    deps.logger.info({ userId: doc._id.toHexString(), role: data.role, by: actor.userId?.toHexString() ?? 'operator', invited: !data.password }, 'user created');
    return toUserView(doc.toObject());
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('CONFLICT', `A user with email ${data.email} already exists`);
    throw err;
  }
}
