import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A prepared answer of one inbox, inserted into the reply form by its agents. Kept in a collection of
 * its own rather than on the inbox, so the inbox document that every ingest and reply reads stays small.
 */
export interface CannedReplyDoc {
  _id: Types.ObjectId;
  inboxId: Types.ObjectId;
  title: string;
  /** Plain text with placeholders such as `{{customer.name}}` (src/domain/canned-reply.ts). */
  body: string;
  createdById?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const cannedReplySchema = new Schema<CannedReplyDoc>(
  {
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    title: { type: String, required: true, trim: true },
    body: { type: String, required: true },
    createdById: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true, collection: 'canned_replies' },
);
// An inbox's replies, listed by title (the settings page and the reply form's picker).
cannedReplySchema.index({ inboxId: 1, title: 1, _id: 1 });

export type CannedReplyModel = Model<CannedReplyDoc>;

export function cannedReplyModel(conn: Connection): CannedReplyModel {
  return conn.model<CannedReplyDoc>('CannedReply', cannedReplySchema);
}
