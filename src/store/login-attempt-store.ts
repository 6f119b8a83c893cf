import type { Models } from './models/index.js';
import { isDuplicateKey } from './duplicate-key.js';


/** The login throttle's counters, one per key and window. */
export function createLoginAttemptStore(models: Pick<Models, 'LoginAttempt'>) {
  const { LoginAttempt } = models;
  return {
    /**
     * Takes one slot under `limit` on a counter, in single atomic writes: parallel callers can never
     * take more slots than the limit. A counter past its window starts over, with a window ending at
     * `expiresAt`. False when the counter has no slot left.
     */
    async takeSlot(key: string, limit: number, now: Date, expiresAt: Date): Promise<boolean> {
      // A second round only matters when another request created the counter between our steps.
      for (let round = 0; round < 2; round++) {
        const taken = await LoginAttempt.updateOne({ _id: key, expiresAt: { $gt: now }, count: { $lt: limit } }, { $inc: { count: 1 } });
        if (taken.matchedCount) return true;
        const restarted = await LoginAttempt.updateOne({ _id: key, expiresAt: { $lte: now } }, { $set: { count: 1, expiresAt } });
        if (restarted.matchedCount) return true;
        try {
          await LoginAttempt.create({ _id: key, count: 1, expiresAt });
          return true;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      return false;
    },

    /** Gives one slot back to a counter (never below zero). */
    async giveBack(key: string): Promise<void> {
      await LoginAttempt.updateOne({ _id: key, count: { $gt: 0 } }, { $inc: { count: -1 } });
    },

    /** Forgets a counter altogether. */
    async forget(key: string): Promise<void> {
      await LoginAttempt.deleteOne({ _id: key });
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type LoginAttemptStore = ReturnType<typeof createLoginAttemptStore>;
