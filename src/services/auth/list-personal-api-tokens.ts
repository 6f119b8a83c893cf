import type { ApiTokenStore } from '../../store/api-token-store.js';
import type { Actor } from '../access.js';

/** One of the caller's API tokens, without anything that would let it be used. */
export interface ApiTokenView {
  id: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  expired: boolean;
}

/** The caller's API tokens (personal ones and those from `POST /auth/token`), newest first. */
export async function listPersonalApiTokens(deps: { apiTokens: Pick<ApiTokenStore, 'listByUser'>; now: () => Date }, actor: Actor): Promise<ApiTokenView[]> {
  if (!actor.userId) return [];
  const now = deps.now();
  const tokens = await deps.apiTokens.listByUser(actor.userId);
  return tokens.map((t) => ({
    id: t._id.toHexString(),
    label: t.label ?? null,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt ?? null,
    expiresAt: t.expiresAt ?? null,
    expired: Boolean(t.expiresAt && t.expiresAt <= now),
  }));
}
