import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { SIDE_CONVERSATION_KINDS, type SideConversationKind } from '../../domain/side-conversations.js';
import type { Address } from './message.js';

/**
 * A conversation about a ticket with someone outside it (domain/side-conversations.ts). Its mails are
 * messages of the ticket marked with `sideConversationId`; they are never part of the customer's
 * conversation. `awaiting`: our last mail in it waits for an answer.
 */
export interface SideConversationDoc {
  _id: Types.ObjectId;
  ticketId: Types.ObjectId;
  inboxId: Types.ObjectId;
  kind: SideConversationKind;
  partnerId: Types.ObjectId | null;
  subject: string;
  /** Whom our mails go to. */
  to: Address[];
  /** Lower-cased addresses that took part (recipients and writers). */
  participants: string[];
  awaiting: boolean;
  createdBy: Types.ObjectId;
  /** The request key of the mail that opened it, so a retried request opens it once. */
  requestKey: string | null;
  lastMessageAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

const address = new Schema<Address>({ address: { type: String, required: true }, name: { type: String, default: null } }, { _id: false });

const sideConversationSchema = new Schema<SideConversationDoc>(
  {
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    kind: { type: String, enum: SIDE_CONVERSATION_KINDS, required: true },
    partnerId: { type: Schema.Types.ObjectId, ref: 'Partner', default: null },
    subject: { type: String, default: '' },
    to: { type: [address], default: [] },
    participants: { type: [String], default: [] },
    awaiting: { type: Boolean, default: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    requestKey: { type: String },
    lastMessageAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'side_conversations' },
);
// A ticket's side conversations, newest activity last; threading asks for one of a ticket by participant.
sideConversationSchema.index({ ticketId: 1, createdAt: 1 });
sideConversationSchema.index({ requestKey: 1 }, { unique: true, sparse: true });

export type SideConversationModel = Model<SideConversationDoc>;

export function sideConversationModel(conn: Connection): SideConversationModel {
  return conn.model<SideConversationDoc>('SideConversation', sideConversationSchema);
}
