import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { PASSWORD_MAX_LENGTH } from '../../domain/user-rules.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { PasswordTokenStore } from '../../store/password-token-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { WebSessionStore } from '../../store/web-session-store.js';
import { notFound, type Actor } from '../access.js';
import type { PasswordHasher } from '../ports.js';
import { newPassword } from './user-schemas.js';
import { revokeUserApiTokens } from '../auth/revoke-api-token.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';
import { endUserWebSessions } from '../auth/web-sessions.js';

export interface ChangeOwnPasswordDeps {
  users: Pick<UserStore, 'findByIdWithPasswordHash' | 'setPasswordHash'>;
  webSessions: Pick<WebSessionStore, 'deleteByUser'>;
  apiTokens: Pick<ApiTokenStore, 'deleteByUser'>;
  passwordTokens: Pick<PasswordTokenStore, 'deleteByUser'>;
  passwords: PasswordHasher;
  logger: Logger;
}

// Revoking API tokens is the default: a password is usually changed because it may have leaked.
const schema = z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword, revokeApiTokens: z.boolean().default(true) });

/**
 * Changes the caller's own password; the current one must be given. Every other browser session of
 * the user ends (`keepSessionId`, the one making the change, stays), and every API token of the user
 * is revoked unless `revokeApiTokens: false` is given; a password link issued earlier (invite or reset)
 * stops working, as it would set a password over the one just chosen. Returns how many tokens were revoked.
 */
export async function changeOwnPassword(deps: ChangeOwnPasswordDeps, actor: Actor, keepSessionId: string | null, input: unknown): Promise<{ revokedTokens: number }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has a password to change', { key: 'forbidden.passwordNeedsUser' });
  const data = parseInput(schema, input, 'Password change');
  const user = await deps.users.findByIdWithPasswordHash(actor.userId);
  if (!user) throw notFound('User');
  if (!(await deps.passwords.verify(user.passwordHash, data.currentPassword))) {
    throw invalidInput([inputIssue('currentPassword', 'issue.notCurrentPassword', 'is not your current password')], 'Password change');
  }
  await deps.users.setPasswordHash(user._id, await deps.passwords.hash(data.newPassword));
  await deps.passwordTokens.deleteByUser(user._id);
  const ended = await endUserWebSessions(deps, user._id, keepSessionId ?? undefined);
  const revokedTokens = data.revokeApiTokens ? await revokeUserApiTokens(deps, user._id) : 0;
  deps.logger.info({ userId: user._id.toHexString(), endedSessions: ended, revokedTokens }, 'password changed by its user');
  return { revokedTokens };
}
