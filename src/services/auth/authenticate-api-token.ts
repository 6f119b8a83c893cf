import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { UserRole } from '../../domain/user-roles.js';
import type { Actor } from '../access.js';
import { hashApiToken, looksLikeApiToken } from './api-token-codec.js';

export interface AuthenticateApiTokenDeps {
  users: Pick<UserStore, 'findById'>;
  apiTokens: Pick<ApiTokenStore, 'findByHash' | 'markUsed'>;
  /** The user's teams, read with the user (one indexed query). */
  teams: Pick<TeamStore, 'listIdsOfMember'>;
  now: () => Date;
}

/** The authenticated caller of an API request. */
export interface Principal {
  actor: Actor;
  tokenId: Types.ObjectId;
  /** What `GET /me` answers; `away` and `awaySince` as the user set them. */
  user: { id: string; email: string; name: string | null; role: UserRole; inboxIds: string[]; away: boolean; awaySince: Date | null };
  /** The user's language (`en`, `fr`), null to follow the request's Accept-Language: what error texts are written in. */
  locale?: string | null;
}

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a bearer token to its user. Unknown, expired and revoked tokens and disabled users all
 * get the same 401. `lastUsedAt` is written at most once a minute per token, not on every request.
 */
export async function authenticateApiToken(deps: AuthenticateApiTokenDeps, token: string | undefined): Promise<Principal> {
  if (!token) throw new AppError('UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <token>', { key: 'auth.tokenMissing' });
  const refused = new AppError('UNAUTHENTICATED', 'API token is invalid, expired or revoked', { key: 'auth.tokenInvalid' });
  if (!looksLikeApiToken(token)) throw refused;
  const now = deps.now();
  const record = await deps.apiTokens.findByHash(hashApiToken(token));
  if (!record || (record.expiresAt && record.expiresAt <= now)) throw refused;
  const user = await deps.users.findById(record.userId);
  if (!user || user.disabled) throw refused;

  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!record.lastUsedAt || record.lastUsedAt < staleBefore) {
    await deps.apiTokens.markUsed(record._id, now, staleBefore);
  }
  return {
    actor: { userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds: await deps.teams.listIdsOfMember(user._id), ...(user.kbEditor === true ? { kbEditor: true } : {}) },
    tokenId: record._id,
    user: {
      id: user._id.toHexString(),
      email: user.email,
      name: user.name ?? null,
      role: user.role,
      inboxIds: user.inboxIds.map((id) => id.toHexString()),
      away: user.away === true,
      awaySince: user.awaySince ?? null,
    },
    locale: user.locale ?? null,
  };
}
