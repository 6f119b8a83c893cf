import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { passwordLinkExpiry } from '../../domain/user-rules.js';
import type { PasswordTokenPurpose } from '../../domain/password-links.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import type { UserAdminDeps } from './list-users.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string has the shape of a password-link token (checked before touching the database). */
export function looksLikePasswordToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** What is stored instead of the token: its SHA-256 (hex). 256 random bits need no salt. */
export function hashPasswordToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A freshly issued link: the token is returned here once and never stored. */
export interface PasswordLink {
  token: string;
  /** The page that sets the password with it, relative to Threadline's public URL. */
  path: string;
  purpose: PasswordTokenPurpose;
  expiresAt: Date;
}

/**
 * Issues a one-time link to set a user's password (admins only): an invite for someone who never
 * signed in, a reset otherwise. It works for 72 hours and replaces the user's older links.
 */
export async function issuePasswordLink(deps: Pick<UserAdminDeps, 'users' | 'passwordTokens' | 'now' | 'logger'>, actor: Actor, userId: string): Promise<PasswordLink> {
  requireAdmin(actor);
  const id = parseObjectId(userId);
  const user = id ? await deps.users.findById(id) : null;
  if (!user) throw notFound('User');
  if (user.disabled) throw new AppError('CONFLICT', 'This user is disabled; enable them before sending a password link', { key: 'conflict.userDisabled' });
  const now = deps.now();
  const token = randomBytes(32).toString('base64url');
  const purpose: PasswordTokenPurpose = user.lastLoginAt ? 'reset' : 'invite';
  const expiresAt = passwordLinkExpiry(now);
  await deps.passwordTokens.deleteByUser(user._id);
  await deps.passwordTokens.create({ userId: user._id, tokenHash: hashPasswordToken(token), purpose, createdBy: actor.userId, createdAt: now, expiresAt });
  deps.logger.info({ userId, purpose, by: actor.userId?.toHexString() ?? 'operator' }, 'password link issued');
  return { token, path: `/password/${token}`, purpose, expiresAt };
}
