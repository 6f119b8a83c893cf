import type { Types } from 'mongoose';
import type { PendingMessage } from './ingest-writes.js';
import { MAX_INDEXED_CHARS } from '../domain/ticket-search.js';
import { addMessageTerms } from './ticket-search-writes.js';
import type { Models } from './models/index.js';
import type { MessageDoc } from './models/message.js';

/** The fields of a conversation's messages the recipient rule reads (src/domain/reply-recipients.ts). */
const RECIPIENT_MESSAGE_FIELDS = { direction: 1, from: 1, to: 1, cc: 1, replyTo: 1, flags: 1, createdAt: 1 } as const;

/** A conversation's mail as a reply reads it: for its recipients and for threading. */
export type ReplyContextMessage = Pick<MessageDoc, '_id' | 'direction' | 'from' | 'to' | 'cc' | 'replyTo' | 'flags' | 'createdAt' | 'messageId' | 'references' | 'inReplyTo' | 'subject'>;

/** Our own mail as it joins its conversation when queued; stored once per Message-ID. */
export type OutboundMessage = Pick<MessageDoc, 'ticketId' | 'inboxId' | 'inReplyTo' | 'references' | 'threadKeys' | 'subject' | 'from' | 'to' | 'cc' | 'date' | 'text' | 'html' | 'authorId' | 'delivery' | 'flags'> & {
  direction: 'outbound';
  messageId: string;
  /** Set for a mail of a side conversation: never part of the customer's conversation. */
  sideConversationId?: Types.ObjectId;
  /** Blind copies of our mail (envelope only), recorded for agents. */
  bcc?: MessageDoc['bcc'];
  /** Files an agent attached (uploads, their files in GridFS), listed on the trail like received ones. */
  attachments?: MessageDoc['attachments'];
};

/** Side-conversation mail is never part of the customer's conversation (models/side-conversation.ts). */
const CUSTOMER_CONVERSATION = { sideConversationId: null } as const;

const DUPLICATE_KEY = 11000;

/** The messages of the conversations: received mail, our own mail, notes. */
export function createMessageStore(models: Pick<Models, 'Message' | 'Ticket'>) {
  const { Message } = models;
  return {
    /**
     * The texts of these tickets' messages a search reads (customer mail, agents' replies, notes; not
     * automatic mail), each cut to what the search indexes.
     */
    async listTextsOfTickets(ticketIds: readonly Types.ObjectId[]): Promise<Array<{ ticketId: Types.ObjectId; text: string }>> {
      const rows = await Message.find(
        { ticketId: { $in: ticketIds }, 'flags.autoSubmitted': { $ne: true }, 'flags.bounce': { $ne: true } },
        { ticketId: 1, text: 1 },
      ).lean();
      return rows.flatMap((m) => (m.text ? [{ ticketId: m.ticketId, text: m.text.slice(0, MAX_INDEXED_CHARS) }] : []));
    },

    /** One message, whole. */
    async findById(id: Types.ObjectId): Promise<MessageDoc | null> {
      return Message.findById(id).lean();
    },

    /** Records that the routing rules ran for a received mail (once: an earlier mark is kept); false when it was already marked. */
    async markRouted(id: Types.ObjectId, at: Date): Promise<boolean> {
      return (await Message.updateOne({ _id: id, routedAt: null }, { $set: { routedAt: at } })).modifiedCount > 0;
    },

    /** The received mails that opened these tickets (by the tickets' `originKey`), with what routing reads. */
    async listOpeningMails(dedupeKeys: readonly string[]): Promise<Array<Pick<MessageDoc, '_id' | 'ticketId' | 'inboxId' | 'dedupeKey' | 'from' | 'subject' | 'text' | 'attachments' | 'raw' | 'createdAt'>>> {
      return Message.find({ dedupeKey: { $in: dedupeKeys } }, { ticketId: 1, inboxId: 1, dedupeKey: 1, from: 1, subject: 1, text: 1, attachments: 1, raw: 1, createdAt: 1 }).lean();
    },

    /** The messages of these tickets (a conversation with the tickets merged into it), in arrival order. */
    async listConversation(ticketIds: Types.ObjectId[]): Promise<MessageDoc[]> {
      return Message.find({ ticketId: { $in: ticketIds }, ...CUSTOMER_CONVERSATION }).sort({ createdAt: 1, _id: 1 }).lean();
    },

    /** The side conversation (and ticket) of a stored side-conversation mail with one of these Message-IDs, if any. */
    async findSideConversationOf(messageIds: string[]): Promise<{ sideConversationId: Types.ObjectId; ticketId: Types.ObjectId } | null> {
      if (messageIds.length === 0) return null;
      const found = await Message.findOne({ messageId: { $in: messageIds }, sideConversationId: { $ne: null } }, { sideConversationId: 1, ticketId: 1 }).lean();
      return found?.sideConversationId ? { sideConversationId: found.sideConversationId, ticketId: found.ticketId } : null;
    },

    /** The mails of these side conversations, in arrival order. */
    async listSideMessages(sideConversationIds: Types.ObjectId[]): Promise<MessageDoc[]> {
      if (sideConversationIds.length === 0) return [];
      return Message.find({ sideConversationId: { $in: sideConversationIds } }).sort({ createdAt: 1, _id: 1 }).lean();
    },

    /** These messages of the customer's conversation of these tickets (what a side conversation may quote), in arrival order. */
    async listConversationByIds(ticketIds: Types.ObjectId[], ids: Types.ObjectId[]): Promise<MessageDoc[]> {
      if (ids.length === 0) return [];
      return Message.find({ _id: { $in: ids }, ticketId: { $in: ticketIds }, ...CUSTOMER_CONVERSATION }).sort({ createdAt: 1, _id: 1 }).lean();
    },

    /**
     * Whether a person (not a bounce, an out-of-office notice or other automated mail) wrote on these
     * tickets after `since`: what keeps a solved ticket from closing on its own.
     */
    async hasCustomerMailAfter(ticketIds: Types.ObjectId[], since: Date): Promise<boolean> {
      const found = await Message.exists({
        ticketId: { $in: ticketIds }, ...CUSTOMER_CONVERSATION, createdAt: { $gt: since }, direction: 'inbound', 'flags.bounce': { $ne: true }, 'flags.autoReply': { $ne: true }, 'flags.autoSubmitted': { $ne: true },
      });
      return found !== null;
    },

    /** The mail (received and ours, no notes) of these tickets in arrival order, with what replying to it reads. */
    async listMailForReply(ticketIds: Types.ObjectId[]): Promise<ReplyContextMessage[]> {
      return Message.find(
        { ticketId: { $in: ticketIds }, ...CUSTOMER_CONVERSATION, direction: { $in: ['inbound', 'outbound'] } },
        { ...RECIPIENT_MESSAGE_FIELDS, messageId: 1, references: 1, inReplyTo: 1, subject: 1 },
      )
        .sort({ createdAt: 1, _id: 1 })
        .lean();
    },

    /** What a reply quotes of one mail of these tickets: its sender, date and stored (sanitized) body. */
    async findQuotable(id: Types.ObjectId, ticketIds: Types.ObjectId[]): Promise<Pick<MessageDoc, '_id' | 'from' | 'date' | 'createdAt' | 'text' | 'html'> | null> {
      return Message.findOne({ _id: id, ticketId: { $in: ticketIds } }, { from: 1, date: 1, createdAt: 1, text: 1, html: 1 }).lean();
    },

    /** The recipients (To, Cc) our own mail with this Message-ID was stored with. */
    async findOutboundRecipients(messageId: string): Promise<Pick<MessageDoc, '_id' | 'to' | 'cc' | 'bcc'> | null> {
      return Message.findOne({ messageId, direction: 'outbound' }, { to: 1, cc: 1, bcc: 1 }).lean();
    },

    /**
     * Of these tickets' messages, those with these ids and our own mail with these Message-IDs (what
     * the trail names), with what a reply conflict shows of them.
     */
    async listNamedByTrail(ticketIds: Types.ObjectId[], docIds: Types.ObjectId[], mailIds: string[]): Promise<Array<Pick<MessageDoc, '_id' | 'direction' | 'messageId' | 'from' | 'text' | 'authorId'>>> {
      return Message.find({ ticketId: { $in: ticketIds }, $or: [{ _id: { $in: docIds } }, { messageId: { $in: mailIds }, direction: 'outbound' }] })
        .select({ direction: 1, messageId: 1, from: 1, text: 1, authorId: 1 })
        .lean();
    },

    /** The stored HTML of a message among these tickets' (with its sanitizer rules and attachments). */
    async findBodyAmong(id: Types.ObjectId, ticketIds: Types.ObjectId[]): Promise<Pick<MessageDoc, '_id' | 'html' | 'htmlRules' | 'attachments'> | null> {
      return Message.findOne({ _id: id, ticketId: { $in: ticketIds } }).select({ html: 1, htmlRules: 1, attachments: 1 }).lean();
    },

    /** A message's ticket and attachments; null for no id. */
    async findAttachmentsById(id: Types.ObjectId | null): Promise<Pick<MessageDoc, '_id' | 'ticketId' | 'attachments'> | null> {
      return Message.findById(id).select({ ticketId: 1, attachments: 1 }).lean();
    },

    /** The tickets with a message that references this stored file. */
    async listTicketIdsWithFile(fileId: Types.ObjectId): Promise<Types.ObjectId[]> {
      return Message.distinct('ticketId', { 'attachments.fileId': fileId });
    },

    /** The attachments of a message of these tickets that references this stored file. */
    async findAttachmentsWithFile(fileId: Types.ObjectId, ticketIds: Types.ObjectId[]): Promise<Pick<MessageDoc, '_id' | 'attachments'> | null> {
      return Message.findOne({ ticketId: { $in: ticketIds }, 'attachments.fileId': fileId }).select({ attachments: 1 }).lean();
    },

    /**
     * Adds our own mail to its conversation, once per Message-ID: a copy already stored (also by a
     * concurrent call) is kept as it is.
     */
    async addOutboundOnce(message: OutboundMessage): Promise<void> {
      await Message.updateOne({ messageId: message.messageId, direction: 'outbound' }, { $setOnInsert: message }, { upsert: true }).catch((err: { code?: number }) => {
        // A concurrent upsert of the same mail inserted it first; only $setOnInsert was asked for, so that copy is it.
        if (err.code !== DUPLICATE_KEY) throw err;
      });
      // An agent's words are found like the customer's; automatic mail (the same for every ticket) is not indexed.
      if (!message.flags?.autoSubmitted) await addMessageTerms(models, message.ticketId, { text: message.text });
    },

    /** Records where delivery of our own mail with this Message-ID stands. */
    async setDelivery(messageId: string, delivery: NonNullable<MessageDoc['delivery']>): Promise<void> {
      await Message.updateOne({ messageId, direction: 'outbound' }, { $set: { delivery } });
    },

    /** The ticket of a stored message with this Message-ID (any direction), if one is stored. */
    async findTicketIdByMessageId(messageId: string): Promise<Types.ObjectId | null> {
      const stored = await Message.findOne({ messageId }, { ticketId: 1 }).lean();
      return stored ? stored.ticketId : null;
    },

    /** The stored copies of received mail with these dedupe keys. */
    async listByDedupeKeys(dedupeKeys: string[]): Promise<Array<Pick<MessageDoc, '_id' | 'ticketId' | 'ingestState' | 'dedupeKey'>>> {
      return Message.find({ dedupeKey: { $in: dedupeKeys } }, { ticketId: 1, ingestState: 1, dedupeKey: 1 }).lean();
    },

    /** Our own stored mail with these Message-IDs. */
    async listOutboundByMessageIds(messageIds: string[]): Promise<Array<Pick<MessageDoc, '_id' | 'ticketId' | 'messageId'>>> {
      return Message.find({ messageId: { $in: messageIds }, direction: 'outbound' }, { ticketId: 1, messageId: 1 }).lean();
    },

    /** The messages sharing any of these thread keys, with their keys. */
    async listByThreadKeys(keys: string[]): Promise<Array<Pick<MessageDoc, '_id' | 'ticketId' | 'threadKeys'>>> {
      return Message.find({ threadKeys: { $in: keys } }, { ticketId: 1, threadKeys: 1 }).lean();
    },

    /** The tickets of the messages sharing any of these thread keys (one entry per message). */
    async listTicketIdsByThreadKeys(keys: string[]): Promise<Types.ObjectId[]> {
      return (await Message.find({ threadKeys: { $in: keys } }, { ticketId: 1 }).lean()).map((m) => m.ticketId);
    },

    /** Notes that the stored copy of received mail with this dedupe key was delivered to this inbox too; that copy. */
    async addDeliveryByDedupeKey(dedupeKey: string, inboxId: Types.ObjectId): Promise<MessageDoc | null> {
      return Message.findOneAndUpdate({ dedupeKey }, { $addToSet: { deliveredTo: inboxId } }, { returnDocument: 'after', lean: true });
    },

    /**
     * A received message's document, checked against the schema and completed with its id and
     * defaults, ready to be inserted with its batch; nothing is written. Throws when it is invalid.
     */
    async validateNew(fields: Partial<MessageDoc>): Promise<PendingMessage['doc']> {
      const doc = new Message(fields);
      await doc.validate();
      return doc.toObject({ depopulate: true }) as PendingMessage['doc'];
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type MessageStore = ReturnType<typeof createMessageStore>;
