import type { Types } from 'mongoose';
import { ticketAccessKeys } from '../domain/teams.js';
import type { InboxDoc } from './models/inbox.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

type RemovalModels = Pick<Models, 'Inbox' | 'InboxStatus' | 'Ticket' | 'Message' | 'CannedReply' | 'Category' | 'User' | 'Team' | 'TicketEvent'>;

/**
 * The writes that delete an inbox: kept read-only (a soft delete), or removed once its tickets and
 * what belongs to it moved to another inbox. Every step is safe to repeat, so an interrupted move
 * is finished by running it again.
 */
export function createInboxRemovalStore(models: RemovalModels) {
  return {
    /** Marks an inbox deleted with its tickets kept read-only; null when it does not exist, is already deleted or is moving. */
    markDeleted(id: Types.ObjectId, at: Date): Promise<InboxDoc | null> {
      return models.Inbox.findOneAndUpdate({ _id: id, deletedAt: null, movingTo: null }, { $set: { deletedAt: at } }, { returnDocument: 'after' }).lean<InboxDoc>().exec();
    },

    /**
     * Records that an inbox's tickets go to `to` (first step of a move, before anything moves);
     * returns the inbox as recorded, which names the target of a move started earlier if there was
     * one. Null when the inbox does not exist or is deleted (kept read-only).
     */
    async startMove(id: Types.ObjectId, to: Types.ObjectId): Promise<InboxDoc | null> {
      await models.Inbox.updateOne({ _id: id, deletedAt: null, movingTo: null }, { $set: { movingTo: to } }).exec();
      return models.Inbox.findOne({ _id: id, deletedAt: null }).lean<InboxDoc>().exec();
    },

    /** How many tickets an inbox holds. */
    countTickets(inboxId: Types.ObjectId): Promise<number> {
      return models.Ticket.countDocuments({ inboxId }).exec();
    },

    /**
     * Moves up to `limit` tickets of `from` to `to`, their access keys rewritten with the new inbox;
     * each gets its trail entry first (keyed: recorded once however often this runs). Returns how
     * many moved; 0 when none is left.
     */
    async moveTicketBatch(from: Types.ObjectId, to: Types.ObjectId, limit: number, event: (ticketId: Types.ObjectId) => TrailEventInput): Promise<number> {
      const batch = await models.Ticket.find({ inboxId: from }, { _id: 1, teamId: 1, escalatedFromTeamIds: 1 }).limit(limit).lean<Array<Pick<TicketDoc, '_id' | 'teamId' | 'escalatedFromTeamIds'>>>().exec();
      if (batch.length === 0) return 0;
      await recordEvents(models, batch.map((t) => event(t._id)));
      await models.Ticket.bulkWrite(
        batch.map((t) => ({
          updateOne: { filter: { _id: t._id, inboxId: from }, update: { $set: { inboxId: to, access: ticketAccessKeys(to, t.teamId ?? null, t.escalatedFromTeamIds) } } },
        })),
        { ordered: false },
      );
      return batch.length;
    },

    /**
     * Moves what else belongs to `from` to `to`: its messages, its canned replies and its own
     * categories (a category whose name the target already uses stays, still named on its tickets);
     * then takes `from` off users' and teams' inboxes.
     */
    async moveBelongings(from: Types.ObjectId, to: Types.ObjectId): Promise<void> {
      await models.Message.updateMany({ inboxId: from }, { $set: { inboxId: to } }).exec();
      await models.CannedReply.updateMany({ inboxId: from }, { $set: { inboxId: to } }).exec();
      for (const category of await models.Category.find({ inboxId: from }, { _id: 1 }).lean().exec()) {
        await models.Category.updateOne({ _id: category._id }, { $set: { inboxId: to } }).exec().catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err;
        });
      }
      await models.User.updateMany({ inboxIds: from }, { $pull: { inboxIds: from } }).exec();
      await models.Team.updateMany({ inboxIds: from }, { $pull: { inboxIds: from } }).exec();
    },

    /** Removes an inbox and its poller status (the last step of a move). */
    async remove(id: Types.ObjectId): Promise<void> {
      await models.InboxStatus.deleteOne({ _id: id }).exec();
      await models.Inbox.deleteOne({ _id: id }).exec();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type InboxRemovalStore = ReturnType<typeof createInboxRemovalStore>;
