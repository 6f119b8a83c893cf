import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One entry of an inbox's block list (services/spam): mail from this address, or from any address
 * at this domain, opens no normal ticket in that inbox; it is kept on a ticket that goes to Spam.
 */
export interface SpamBlockDoc {
  _id: Types.ObjectId;
  inboxId: Types.ObjectId;
  kind: 'sender' | 'domain';
  /** The address or the domain, lower-case. */
  value: string;
  /** The ticket marked as spam that added it, and who marked it (null: not known). */
  ticketId: Types.ObjectId | null;
  by: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const spamBlockSchema = new Schema<SpamBlockDoc>(
  {
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    kind: { type: String, enum: ['sender', 'domain'], required: true },
    value: { type: String, required: true, lowercase: true, trim: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true, collection: 'spam_blocks' },
);
// One entry per inbox and value; ingest asks for an address and its domain at once (an $in on it),
// and the settings page lists an inbox's entries by value.
spamBlockSchema.index({ inboxId: 1, value: 1 }, { unique: true });

export type SpamBlockModel = Model<SpamBlockDoc>;

export function spamBlockModel(conn: Connection): SpamBlockModel {
  return conn.model<SpamBlockDoc>('SpamBlock', spamBlockSchema);
}
