import type { Types } from 'mongoose';
import type { ApiTokenStore } from '../../store/api-token-store.js';

/** Revokes one API token by deleting it: a revoked token is indistinguishable from one never issued. */
export async function revokeApiToken(deps: { apiTokens: Pick<ApiTokenStore, 'deleteById'> }, tokenId: Types.ObjectId): Promise<void> {
  await deps.apiTokens.deleteById(tokenId);
}

/** Revokes every API token of a user, sign-in and personal ones alike; returns how many there were. */
export async function revokeUserApiTokens(deps: { apiTokens: Pick<ApiTokenStore, 'deleteByUser'> }, userId: Types.ObjectId): Promise<number> {
  return deps.apiTokens.deleteByUser(userId);
}
