import type { Types } from 'mongoose';
import type { ApiTokenDoc } from './models/api-token.js';
import type { Models } from './models/index.js';

/** A token as written by {@link ApiTokenStore.create}; it has not been used yet. */
export type NewApiToken = Pick<ApiTokenDoc, 'userId' | 'tokenHash' | 'label' | 'createdAt' | 'expiresAt'>;

/** The API tokens; only each token's SHA-256 is stored. */
export function createApiTokenStore(models: Pick<Models, 'ApiToken'>) {
  const { ApiToken } = models;
  return {
    /** Stores a new token and returns its id. */
    async create(token: NewApiToken): Promise<Types.ObjectId> {
      const doc = await ApiToken.create(token);
      return doc._id;
    },

    /** The token with this hash; null when there is none (never issued or revoked). */
    findByHash(tokenHash: string): Promise<ApiTokenDoc | null> {
      return ApiToken.findOne({ tokenHash }).lean<ApiTokenDoc>().exec();
    },

    /** A user's tokens without their hashes, newest first. */
    listByUser(userId: Types.ObjectId): Promise<Array<Omit<ApiTokenDoc, 'tokenHash'>>> {
      return ApiToken.find({ userId }).select({ tokenHash: 0 }).sort({ createdAt: -1, _id: -1 }).lean<Array<Omit<ApiTokenDoc, 'tokenHash'>>>().exec();
    },

    /** Notes that a token was used at `now`, unless another request already did after `staleBefore`. */
    async markUsed(id: Types.ObjectId, now: Date, staleBefore: Date): Promise<void> {
      await ApiToken.updateOne({ _id: id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: staleBefore } }] }, { $set: { lastUsedAt: now } });
    },

    /** Revokes one token by id; an unknown id is ignored. */
    async deleteById(id: Types.ObjectId): Promise<void> {
      await ApiToken.deleteOne({ _id: id });
    },

    /** Revokes one token only if it belongs to this user; returns how many were revoked (0 or 1). */
    async deleteOwned(id: Types.ObjectId, userId: Types.ObjectId): Promise<number> {
      const { deletedCount } = await ApiToken.deleteOne({ _id: id, userId });
      return deletedCount;
    },

    /** Revokes every token of a user; returns how many there were. */
    async deleteByUser(userId: Types.ObjectId): Promise<number> {
      const { deletedCount } = await ApiToken.deleteMany({ userId });
      return deletedCount;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;
