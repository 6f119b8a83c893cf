import type { Logger } from 'pino';
import type { ApiTokenStore } from '../../store/api-token-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';

/** Revokes one of the caller's own API tokens; someone else's token is NOT_FOUND, as if it did not exist. */
export async function revokePersonalApiToken(deps: { apiTokens: Pick<ApiTokenStore, 'deleteOwned'>; logger: Logger }, actor: Actor, tokenId: string): Promise<void> {
  const id = parseObjectId(tokenId);
  const deletedCount = id && actor.userId ? await deps.apiTokens.deleteOwned(id, actor.userId) : 0;
  if (deletedCount === 0) throw notFound('API token');
  deps.logger.info({ userId: actor.userId?.toHexString(), tokenId }, 'API token revoked');
}
