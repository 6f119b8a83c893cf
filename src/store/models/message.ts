import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { MESSAGE_DIRECTIONS, type MessageDirection } from '../../domain/message-directions.js';

export interface Address {
  address: string;
  name?: string | null;
}

/** A stored file (GridFS) referenced from a message. */
export interface AttachmentRef {
  fileId: Types.ObjectId;
  filename?: string | null;
  contentType: string;
  size: number;
  sha256: string;
  contentId?: string | null;
  inline: boolean;
}

export interface MessageDoc {
  _id: Types.ObjectId;
  ticketId: Types.ObjectId;
  inboxId: Types.ObjectId;
  direction: MessageDirection;
  messageId?: string | null;
  inReplyTo?: string | null;
  references: string[];
  /** Lower-cased own Message-ID plus every id it references: two messages sharing one are one conversation. */
  threadKeys: string[];
  subject?: string | null;
  from?: Address | null;
  to: Address[];
  cc: Address[];
  /** Our own mail's blind copies: sent in the SMTP envelope only (never a header), shown to agents, never participants. */
  bcc?: Address[];
  replyTo: Address[];
  date?: Date | null;
  text?: string | null;
  html?: string | null;
  /**
   * The sanitizer rules `html` was cleaned under (SANITIZER_RULES); HTML cleaned under others, or
   * stored without a record, is cleaned again before it is shown.
   */
  htmlRules?: string | null;
  attachments: AttachmentRef[];
  raw?: { fileId: Types.ObjectId; size: number; sha256: string } | null;
  dedupeKey?: string | null;
  /** Inboxes this mail was delivered to (one mail sent to two of our addresses is stored once). */
  deliveredTo: Types.ObjectId[];
  /** Where the mail came from on the IMAP server, for support and re-sync diagnostics. */
  source?: { folder: string; uidValidity: string; uid: number } | null;
  /** 'stored' once the message is written; 'complete' after the ticket and follow-up jobs are updated. */
  ingestState: 'stored' | 'complete';
  authorId?: Types.ObjectId | null;
  /** For our outgoing mail: where delivery stands, so agents see a failure on the ticket. */
  delivery?: { state: 'pending' | 'sent' | 'failed'; error?: string | null; at?: Date | null } | null;
  /** `bounce`: a delivery failure or other mailer report; `autoReply`: an out-of-office or vacation notice. Neither is a customer writing. */
  flags: { autoSubmitted: boolean; autoSubmittedReason?: string | null; bounce: boolean; autoReply?: boolean; htmlTooComplex?: boolean };
  /** When the routing rules ran for this received mail (services/routing): set once, so a rerun applies nothing twice. */
  routedAt?: Date | null;
  /** Set on the mails of a side conversation (models/side-conversation.ts): shown to agents only, never part of the customer's conversation. */
  sideConversationId?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const address = new Schema<Address>({ address: { type: String, required: true }, name: { type: String, default: null } }, { _id: false });

const attachment = new Schema<AttachmentRef>(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    filename: { type: String, default: null },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    contentId: { type: String, default: null },
    inline: { type: Boolean, default: false },
  },
  { _id: false },
);

const messageSchema = new Schema<MessageDoc>(
  {
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    direction: { type: String, enum: MESSAGE_DIRECTIONS, required: true },
    messageId: { type: String, default: null },
    inReplyTo: { type: String, default: null },
    references: { type: [String], default: [] },
    threadKeys: { type: [String], default: [] },
    subject: { type: String, default: null },
    from: { type: address, default: null },
    to: { type: [address], default: [] },
    cc: { type: [address], default: [] },
    // No default: only our own mail with blind copies has one.
    bcc: { type: [address], default: undefined },
    replyTo: { type: [address], default: [] },
    date: { type: Date, default: null },
    text: { type: String, default: null },
    html: { type: String, default: null },
    htmlRules: { type: String, default: null },
    attachments: { type: [attachment], default: [] },
    raw: {
      type: new Schema({ fileId: Schema.Types.ObjectId, size: Number, sha256: String }, { _id: false }),
      default: null,
    },
    dedupeKey: { type: String },
    deliveredTo: { type: [Schema.Types.ObjectId], default: [] },
    source: {
      type: new Schema({ folder: String, uidValidity: String, uid: Number }, { _id: false }),
      default: null,
    },
    ingestState: { type: String, enum: ['stored', 'complete'], default: 'complete' },
    authorId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    delivery: { type: Schema.Types.Mixed, default: null },
    flags: {
      autoSubmitted: { type: Boolean, default: false },
      autoSubmittedReason: { type: String, default: null },
      bounce: { type: Boolean, default: false },
      autoReply: { type: Boolean, default: false },
      // The mail's HTML was too complex to display safely: it is not stored, the message shows as text.
      htmlTooComplex: { type: Boolean, default: false },
    },
    routedAt: { type: Date, default: null },
    // No default: only side-conversation mail has one (a sparse index of few entries).
    sideConversationId: { type: Schema.Types.ObjectId, ref: 'SideConversation' },
  },
  { timestamps: true, collection: 'messages' },
);
// A conversation reads in arrival order; threading looks messages up by Message-ID and by what they reference.
messageSchema.index({ ticketId: 1, createdAt: 1, _id: 1 });
messageSchema.index({ messageId: 1 });
messageSchema.index({ threadKeys: 1 });
// Attachment downloads check access through the message that references the file.
messageSchema.index({ 'attachments.fileId': 1 });
// A side conversation's mails, in arrival order.
messageSchema.index({ sideConversationId: 1, createdAt: 1 }, { sparse: true });
// Blind copies by address (the person's tickets where they were only Bcc'd); most messages have none.
messageSchema.index({ 'bcc.address': 1 }, { sparse: true });
// Notes and drafts have no dedupe key; every stored copy of a received mail has exactly one.
messageSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true });
// Our own mail is stored once per Message-ID (the outbox upserts it by that id, possibly concurrently).
// Received mail is not: broken mailers reuse ids, and the dedupe key tells those copies apart.
// Outbound messages without an id (none are written today) stay out of the index.
messageSchema.index({ messageId: 1, direction: 1 }, { unique: true, partialFilterExpression: { direction: 'outbound', messageId: { $type: 'string' } } });

export type MessageModel = Model<MessageDoc>;

export function messageModel(conn: Connection): MessageModel {
  return conn.model<MessageDoc>('Message', messageSchema);
}
