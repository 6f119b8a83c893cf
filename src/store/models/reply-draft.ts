import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One agent's unsent reply to one ticket, saved as they write it (the ticket page's "Save draft"
 * button and autosave, the API's `PUT /tickets/:id/draft`). Read by that agent alone; sending the
 * reply removes it.
 */
export interface ReplyDraftDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  ticketId: Types.ObjectId;
  text: string;
  /** The Cc addresses chosen in the reply form, or null when the agent left the proposal as it was. */
  cc: string[] | null;
  updatedAt: Date;
}

const replyDraftSchema = new Schema<ReplyDraftDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    text: { type: String, default: '' },
    cc: { type: [String], default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reply_drafts', versionKey: false },
);
// One draft per user and ticket, upserted on save; a list page reads its rows' drafts with one `$in`
// on this index (equality on the user, then the page's ticket ids).
replyDraftSchema.index({ userId: 1, ticketId: 1 }, { unique: true });

export type ReplyDraftModel = Model<ReplyDraftDoc>;

export function replyDraftModel(conn: Connection): ReplyDraftModel {
  return conn.model<ReplyDraftDoc>('ReplyDraft', replyDraftSchema);
}
