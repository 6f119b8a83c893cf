import type { Types } from 'mongoose';
import type { TicketEventType } from '../domain/ticket-events.js';
import { conversationTrailFilter } from './merged-tickets.js';
import type { Models } from './models/index.js';
import type { TicketEventDoc } from './models/ticket-event.js';
import { recordEvent, recordEvents, type TrailEventInput } from './ticket-writes.js';

export type { TrailEventInput } from './ticket-writes.js';

/** How many new items a held reply names at most. */
const MAX_CONFLICT_ITEMS = 20;

/** Tickets' trails: what happened to each ticket, oldest first, and who did it. */
export function createTrailStore(models: Pick<Models, 'TicketEvent'>) {
  return {
    /** Appends to a ticket's trail; with a key, a retried step does not record the same event twice. */
    record(event: TrailEventInput): Promise<void> {
      return recordEvent(models, event);
    },

    /** Appends several events in one round trip; keyed events already recorded are skipped. */
    recordMany(events: TrailEventInput[]): Promise<void> {
      return recordEvents(models, events);
    },

    /** The trail of a conversation (its ticket ids, root first; see conversationTrailFilter), oldest first. */
    async listConversation(conversation: readonly Types.ObjectId[]): Promise<TicketEventDoc[]> {
      return models.TicketEvent.find(conversationTrailFilter(conversation)).sort({ at: 1, _id: 1 }).lean();
    },

    /** A merged ticket's own `merged` entries, oldest first: all its trail shows once its conversation lives on elsewhere. */
    async listMergeEntries(ticketId: Types.ObjectId): Promise<TicketEventDoc[]> {
      return models.TicketEvent.find({ ticketId, type: 'merged' }).sort({ at: 1, _id: 1 }).lean();
    },

    /**
     * What could hold a reply: on a conversation's trail after `after`, customer mails, and replies and
     * notes by anyone but `userId`; oldest first, at most {@link MAX_CONFLICT_ITEMS}.
     */
    async listNewForReply(conversation: readonly Types.ObjectId[], opts: { after: Date; userId: Types.ObjectId | null }): Promise<TicketEventDoc[]> {
      return models.TicketEvent.find({
        $and: [conversationTrailFilter(conversation), { at: { $gt: opts.after } }],
        $or: [{ type: 'message_received' }, { type: { $in: ['reply_queued', 'note_added'] }, 'actor.id': { $ne: opts.userId } }],
      })
        .sort({ at: 1, _id: 1 })
        .limit(MAX_CONFLICT_ITEMS)
        .lean();
    },

    /**
     * The SLA breaches recorded in [since, until) of every ticket, oldest first, read as they are iterated
     * (the trail's (type, at) index): a digest stops once it has listed enough of its own inboxes'.
     */
    async *breachesIn(since: Date, until: Date): AsyncGenerator<{ ticketId: Types.ObjectId; at: Date; clock: string }> {
      const type: TicketEventType = 'sla_breached';
      const cursor = models.TicketEvent.find({ type, at: { $gte: since, $lt: until } }, { _id: 0, ticketId: 1, at: 1, 'data.clock': 1 })
        .sort({ at: 1 })
        .hint({ type: 1, at: 1 })
        .lean<Array<Pick<TicketEventDoc, 'ticketId' | 'at' | 'data'>>>()
        .cursor();
      try {
        for await (const e of cursor) yield { ticketId: e.ticketId, at: e.at, clock: String(e.data?.clock ?? '') };
      } finally {
        await cursor.close();
      }
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type TrailStore = ReturnType<typeof createTrailStore>;
