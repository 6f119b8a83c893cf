import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { TicketReadDoc } from './models/ticket-read.js';

/** Each user's read marks on tickets (models/ticket-read.ts): one entry per user and ticket. */
export function createTicketReadStore(models: Pick<Models, 'TicketRead'>) {
  /** Creates or rewrites one user's entry on a ticket; two first writes at once: the loser's retry updates the winner's. */
  const put = async (userId: Types.ObjectId, ticketId: Types.ObjectId, readAt: Date | null): Promise<void> => {
    const write = () => models.TicketRead.updateOne({ userId, ticketId }, { $set: { readAt } }, { upsert: true });
    await write().catch((err: { code?: number }) => (err.code === 11000 ? write() : Promise.reject(err)));
  };
  return {
    /** Records that the user opened the ticket at `at`. */
    markRead(userId: Types.ObjectId, ticketId: Types.ObjectId, at: Date): Promise<void> {
      return put(userId, ticketId, at);
    },

    /** Records that the user wants the ticket shown unread until they open it again. */
    markUnread(userId: Types.ObjectId, ticketId: Types.ObjectId): Promise<void> {
      return put(userId, ticketId, null);
    },

    /** The user's entries on these tickets (those they have), in one indexed query; nobody else's. */
    async listForTickets(userId: Types.ObjectId, ticketIds: readonly Types.ObjectId[]): Promise<Array<Pick<TicketReadDoc, 'ticketId' | 'readAt'>>> {
      if (ticketIds.length === 0) return [];
      return models.TicketRead.find({ userId, ticketId: { $in: [...ticketIds] } }, { _id: 0, ticketId: 1, readAt: 1 }).lean();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type TicketReadStore = ReturnType<typeof createTicketReadStore>;
