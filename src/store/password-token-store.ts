import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { PasswordTokenDoc } from './models/password-token.js';

/** A link as written by {@link PasswordTokenStore.create}. */
export type NewPasswordToken = Omit<PasswordTokenDoc, '_id'>;

/** The one-time password links; only each link token's SHA-256 is stored. */
export function createPasswordTokenStore(models: Pick<Models, 'PasswordToken'>) {
  const { PasswordToken } = models;
  return {
    /** Stores a new link. */
    async create(link: NewPasswordToken): Promise<void> {
      await PasswordToken.create(link);
    },

    /** The link with this hash if it has not expired by `now`; it stays usable. */
    findUsable(tokenHash: string, now: Date): Promise<PasswordTokenDoc | null> {
      return PasswordToken.findOne({ tokenHash, expiresAt: { $gt: now } }).lean<PasswordTokenDoc>().exec();
    },

    /** Takes (deletes and returns) the link with this hash if it has not expired by `now`: one atomic write, so it works once. */
    takeUsable(tokenHash: string, now: Date): Promise<PasswordTokenDoc | null> {
      return PasswordToken.findOneAndDelete({ tokenHash, expiresAt: { $gt: now } }).lean<PasswordTokenDoc>().exec();
    },

    /** Removes every link of a user. */
    async deleteByUser(userId: Types.ObjectId): Promise<void> {
      await PasswordToken.deleteMany({ userId });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type PasswordTokenStore = ReturnType<typeof createPasswordTokenStore>;
