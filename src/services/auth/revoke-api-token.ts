import type { Types } from 'mongoose';
import type { Models } from '../../store/models/index.js';

/** Revokes one API token by deleting it: a revoked token is indistinguishable from one never issued. */
export async function revokeApiToken(deps: { models: Pick<Models, 'ApiToken'> }, tokenId: Types.ObjectId): Promise<void> {
  await deps.models.ApiToken.deleteOne({ _id: tokenId });
}

/** Revokes every API token of a user, sign-in and personal ones alike; returns how many there were. */
export async function revokeUserApiTokens(deps: { models: Pick<Models, 'ApiToken'> }, userId: Types.ObjectId): Promise<number> {
  const { deletedCount } = await deps.models.ApiToken.deleteMany({ userId });
  return deletedCount;
}
