import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { Actor } from '../access.js';
import { hashApiToken, newApiToken } from './api-token-codec.js';
import { issueMessage, parseInput } from '../validate.js';

export interface PersonalApiTokenDeps {
  apiTokens: Pick<ApiTokenStore, 'create'>;
  now: () => Date;
  logger: Logger;
}

/** Longest lifetime a personal token may ask for; there are no tokens that never expire. */
export const MAX_TOKEN_DAYS = 365;

/** `POST /me/tokens`: a label and a lifetime in days (90 unless given). */
export const personalApiTokenSchema = z.strictObject({
  label: z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(100),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(90),
});

/** How the caller proved who they are: a browser session (after a password) or an API token. */
export type CallerCredential = 'web-session' | 'api-token';

export const TOKEN_NEEDS_WEB_SESSION = 'API tokens can only be created on the account page in a signed-in browser session, not with an API token';

/**
 * Creates an API token for the signed-in caller, with a label and a lifetime of up to a year. Only
 * from a browser session: a token that could mint tokens would let a leaked one outlive its own
 * revocation and expiry. Only its SHA-256 is stored; the token itself is returned once.
 */
export async function createPersonalApiToken(
  deps: PersonalApiTokenDeps,
  actor: Actor,
  credential: CallerCredential,
  input: unknown,
): Promise<{ id: string; token: string; label: string; expiresAt: Date }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user can have API tokens', { key: 'forbidden.tokensNeedUser' });
  if (credential !== 'web-session') throw new AppError('FORBIDDEN', TOKEN_NEEDS_WEB_SESSION, { key: 'forbidden.tokensNeedWebSession' });
  const { label, expiresInDays } = parseInput(personalApiTokenSchema, input, 'API token');
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
  const token = newApiToken();
  const id = await deps.apiTokens.create({ userId: actor.userId, tokenHash: hashApiToken(token), label, createdAt: now, expiresAt });
  deps.logger.info({ userId: actor.userId.toHexString(), tokenId: id.toHexString() }, 'personal API token created');
  return { id: id.toHexString(), token, label, expiresAt };
}
