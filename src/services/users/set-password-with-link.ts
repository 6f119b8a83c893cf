import { z } from 'zod';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import type { PasswordTokenPurpose } from '../../domain/password-links.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { PasswordTokenStore } from '../../store/password-token-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { WebSessionStore } from '../../store/web-session-store.js';
import type { PasswordHasher } from '../ports.js';
import { hashPasswordToken, looksLikePasswordToken } from './issue-password-link.js';
import { newPassword } from './user-schemas.js';
import { revokeUserApiTokens } from '../auth/revoke-api-token.js';
import { parseInput } from '../validate.js';
import { endUserWebSessions } from '../auth/web-sessions.js';

export interface SetPasswordWithLinkDeps {
  users: Pick<UserStore, 'findById' | 'setPasswordHash'>;
  passwordTokens: Pick<PasswordTokenStore, 'findUsable' | 'takeUsable' | 'deleteByUser'>;
  webSessions: Pick<WebSessionStore, 'deleteByUser'>;
  apiTokens: Pick<ApiTokenStore, 'deleteByUser'>;
  passwords: Pick<PasswordHasher, 'hash'>;
  now: () => Date;
  logger: Logger;
}

/** Who a still-valid link is for, as the password page greets them. */
export interface PasswordLinkTarget {
  email: string;
  name: string | null;
  purpose: PasswordTokenPurpose;
}

const DEAD_LINK = 'This link is invalid, has expired or has already been used. Ask an admin for a new one.';

/** The target of a usable link, or null for an unknown, expired or used one, or a disabled user. */
export async function checkPasswordLink(deps: Pick<SetPasswordWithLinkDeps, 'users' | 'passwordTokens' | 'now'>, token: string): Promise<PasswordLinkTarget | null> {
  if (!looksLikePasswordToken(token)) return null;
  const link = await deps.passwordTokens.findUsable(hashPasswordToken(token), deps.now());
  const user = link ? await deps.users.findById(link.userId) : null;
  if (!link || !user || user.disabled) return null;
  return { email: user.email, name: user.name ?? null, purpose: link.purpose };
}

/**
 * Sets a password through a one-time link. The password is checked before the link is spent, so a
 * too-short one can be retried. Taking the link is one atomic delete, so it works once even when
 * used twice at the same moment. The user is signed out everywhere: every browser session ends and
 * every API token (sign-in and personal ones) is revoked, since a reset is what follows a leak.
 */
export async function setPasswordWithLink(deps: SetPasswordWithLinkDeps, token: string, input: unknown): Promise<{ email: string }> {
  const { password } = parseInput(z.object({ password: newPassword }), input, 'Password');
  if (!looksLikePasswordToken(token)) throw new AppError('NOT_FOUND', DEAD_LINK, { key: 'notFound.passwordLink' });
  const link = await deps.passwordTokens.takeUsable(hashPasswordToken(token), deps.now());
  const user = link ? await deps.users.findById(link.userId) : null;
  if (!link || !user || user.disabled) throw new AppError('NOT_FOUND', DEAD_LINK, { key: 'notFound.passwordLink' });
  await deps.users.setPasswordHash(user._id, await deps.passwords.hash(password));
  await deps.passwordTokens.deleteByUser(user._id);
  const ended = await endUserWebSessions(deps, user._id);
  const revoked = await revokeUserApiTokens(deps, user._id);
  deps.logger.info({ userId: user._id.toHexString(), purpose: link.purpose, endedSessions: ended, revokedTokens: revoked }, 'password set through a link');
  return { email: user.email };
}
