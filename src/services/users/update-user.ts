import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { accountChangeRefusal, isActiveAdmin, type AccountChangeRefusal } from '../../domain/user-rules.js';
import type { UserAccountChanges, UserStore } from '../../store/user-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import type { UserAdminDeps } from './list-users.js';
import { requireInboxesExist, updateUserSchema } from './user-schemas.js';
import { toUserView, type UserView } from './user-view.js';
import { parseInput } from '../validate.js';
import { endUserWebSessions } from '../auth/web-sessions.js';

function refused(reason: AccountChangeRefusal): AppError {
  return reason === 'last-admin'
    ? new AppError('CONFLICT', 'The last active admin cannot be demoted or disabled', { details: { reason }, key: 'conflict.lastAdmin' })
    : new AppError('FORBIDDEN', 'Admins cannot demote or disable themselves; another admin can', { details: { reason }, key: 'forbidden.demoteSelf' });
}

/** Signs a disabled user out everywhere: browser sessions, API tokens and unused password links. */
async function cutOff(deps: Pick<UserAdminDeps, 'webSessions' | 'apiTokens' | 'passwordTokens'>, userId: Types.ObjectId): Promise<void> {
  await endUserWebSessions(deps, userId);
  await deps.apiTokens.deleteByUser(userId);
  await deps.passwordTokens.deleteByUser(userId);
}

/**
 * Changes a user's name, role, inbox membership, disabled flag or away state (admins only; away as the
 * user marks it themself on their account page; back from away, their teams' waiting tickets are assigned). The last active admin
 * is never demoted or disabled, and an admin never demotes or disables themself. Without
 * transactions two admins could demote each other at once, so the count is checked again after the
 * write and the change undone if it left no active admin.
 */
export async function updateUser(
  deps: Pick<UserAdminDeps, 'inboxes' | 'webSessions' | 'apiTokens' | 'passwordTokens' | 'logger'> & {
    /** When a user marked away became away (the clock; now when absent). */
    now?: () => Date;
    users: UserAdminDeps['users'] & Pick<UserStore, 'setAway'>;
    /** Assigns the waiting tickets of the user's teams once they are back (services/teams/assignment-refill.ts); none when absent. */
    refillTeamsOfMember?: (userId: Types.ObjectId) => Promise<void>;
  },
  actor: Actor,
  userId: string,
  input: unknown,
): Promise<UserView> {
  requireAdmin(actor);
  const id = parseObjectId(userId);
  if (!id) throw notFound('User');
  const { away, ...patch } = parseInput(updateUserSchema, input, 'User update');
  const before = await deps.users.findById(id);
  if (!before) throw notFound('User');
  if (patch.inboxIds) await requireInboxesExist(deps.inboxes, patch.inboxIds, 'User update');

  const beforeState = { role: before.role, disabled: before.disabled ?? false };
  const afterState = { role: patch.role ?? beforeState.role, disabled: patch.disabled ?? beforeState.disabled };
  const losesAdmin = isActiveAdmin(beforeState) && !isActiveAdmin(afterState);
  if (losesAdmin) {
    const activeAdmins = await deps.users.countActiveAdmins();
    const refusal = accountChangeRefusal({ before: beforeState, after: afterState, activeAdmins, self: actor.userId?.equals(id) ?? false });
    if (refusal) throw refused(refusal);
  }

  const set: UserAccountChanges = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) Object.assign(set, { [key]: value });
  if (away !== undefined) await deps.users.setAway(id, away, deps.now ? deps.now() : new Date());
  const doc = Object.keys(set).length ? await deps.users.updateAccount(id, set) : away !== undefined ? await deps.users.findById(id) : before;
  if (!doc) throw notFound('User');
  if (losesAdmin && (await deps.users.countActiveAdmins()) === 0) {
    const undo = { ...Object.fromEntries(Object.keys(set).map((key) => [key, before[key as keyof typeof before] ?? null])), ...beforeState };
    await deps.users.restoreAccount(id, undo);
    throw refused('last-admin');
  }
  if (afterState.disabled && !beforeState.disabled) await cutOff(deps, id);
  // Back from away, or enabled again: places may have freed in their teams.
  if ((away === false && before.away === true) || (patch.disabled === false && beforeState.disabled)) await deps.refillTeamsOfMember?.(id);
  deps.logger.info({ userId, fields: [...Object.keys(set), ...(away !== undefined ? ['away'] : [])], by: actor.userId?.toHexString() ?? 'operator' }, 'user updated');
  return toUserView(doc);
}
