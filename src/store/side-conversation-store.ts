import type { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { SideConversationDoc } from './models/side-conversation.js';

/** A side conversation as it is opened. */
export type NewSideConversation = Pick<SideConversationDoc, 'ticketId' | 'inboxId' | 'kind' | 'partnerId' | 'subject' | 'to' | 'participants' | 'createdBy' | 'requestKey' | 'lastMessageAt'>;

/** The side conversations of tickets (`side_conversations`): agents' mail with partners about a ticket. */
export function createSideConversationStore(models: Pick<Models, 'SideConversation'>) {
  const { SideConversation } = models;
  return {
    /** One side conversation; null when it is missing. */
    findById(id: Types.ObjectId): Promise<SideConversationDoc | null> {
      return SideConversation.findOne({ _id: id }).lean<SideConversationDoc>().exec();
    },

    /** The side conversation a request key opened, if any (a retried request). */
    findByRequestKey(requestKey: string): Promise<SideConversationDoc | null> {
      return SideConversation.findOne({ requestKey }).lean<SideConversationDoc>().exec();
    },

    /** The side conversations of these tickets (a conversation with those merged into it), oldest first. */
    listByTickets(ticketIds: Types.ObjectId[]): Promise<SideConversationDoc[]> {
      return SideConversation.find({ ticketId: { $in: ticketIds } }).sort({ createdAt: 1, _id: 1 }).lean<SideConversationDoc[]>().exec();
    },

    /** The newest side conversation of these tickets in which this (lower-cased) address takes part, if any. */
    findByParticipant(ticketIds: Types.ObjectId[], address: string): Promise<SideConversationDoc | null> {
      return SideConversation.findOne({ ticketId: { $in: ticketIds }, participants: address.toLowerCase() }).sort({ lastMessageAt: -1, _id: -1 }).lean<SideConversationDoc>().exec();
    },

    /**
     * Opens a side conversation, once per request key: a retried request (another process may have
     * won the race) gets the one opened first.
     */
    async open(fields: NewSideConversation): Promise<SideConversationDoc> {
      if (fields.requestKey) {
        const found = await SideConversation.findOne({ requestKey: fields.requestKey }).lean<SideConversationDoc>().exec();
        if (found) return found;
      }
      const { requestKey, ...rest } = fields;
      try {
        return (await SideConversation.create({ ...rest, ...(requestKey ? { requestKey } : {}), awaiting: true })).toObject<SideConversationDoc>();
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || !requestKey) throw err;
        return (await SideConversation.findOne({ requestKey }).lean<SideConversationDoc>().exec())!;
      }
    },

    /** Our mail went out in it: it waits for an answer again, and its recipients take part. */
    async markAwaiting(id: Types.ObjectId, participants: string[], at: Date): Promise<void> {
      await SideConversation.updateOne({ _id: id }, { $set: { awaiting: true }, $addToSet: { participants: { $each: participants } }, $max: { lastMessageAt: at } });
    },

    /** An answer arrived in it: it no longer waits, and its writer takes part. */
    async markAnswered(id: Types.ObjectId, writer: string | null, at: Date): Promise<void> {
      await SideConversation.updateOne({ _id: id }, { $set: { awaiting: false }, ...(writer ? { $addToSet: { participants: writer.toLowerCase() } } : {}), $max: { lastMessageAt: at } });
    },

    /** Whether any side conversation of these tickets still waits for an answer. */
    async anyAwaiting(ticketIds: Types.ObjectId[]): Promise<boolean> {
      return (await SideConversation.exists({ ticketId: { $in: ticketIds }, awaiting: true })) !== null;
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type SideConversationStore = ReturnType<typeof createSideConversationStore>;
