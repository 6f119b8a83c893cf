import type { Types } from 'mongoose';
import type { PresenceState } from '../domain/presence.js';
import type { Models } from './models/index.js';

/** Who has a ticket open, or is replying on it: one entry per user and ticket, renewed by heartbeats. */
export function createPresenceStore(models: Pick<Models, 'TicketPresence'>) {
  return {
    /** Records a user's heartbeat on a ticket: creates or renews their one entry there. */
    async beat(ticketId: Types.ObjectId, userId: Types.ObjectId, entry: { state: PresenceState; seenAt: Date; expiresAt: Date }): Promise<void> {
      const write = () => models.TicketPresence.updateOne({ ticketId, userId }, { $set: { state: entry.state, seenAt: entry.seenAt, expiresAt: entry.expiresAt } }, { upsert: true });
      // Two first heartbeats at once both try to insert; the loser's retry updates the winner's entry.
      await write().catch((err: { code?: number }) => (err.code === 11000 ? write() : Promise.reject(err)));
    },

    /** The entries of every other user on a ticket that have not expired by `now`. */
    async listOthers(ticketId: Types.ObjectId, userId: Types.ObjectId | null, now: Date): Promise<Array<{ _id: Types.ObjectId; userId: Types.ObjectId; state: PresenceState }>> {
      return models.TicketPresence.find({ ticketId, userId: { $ne: userId }, expiresAt: { $gt: now } }, { userId: 1, state: 1 }).lean();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type PresenceStore = ReturnType<typeof createPresenceStore>;
