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
  /** The reply editor's HTML of the same reply (the text is its plain-text version), or null for a text-only draft. */
  html?: string | null;
  /** The Cc addresses chosen in the reply form, or null when the agent left the proposal as it was. */
  cc: string[] | null;
  /** The To addresses typed in the reply form, or null when the reply keeps the proposed To. */
  to?: string[] | null;
  /** The blind copies typed in the reply form (none when null). */
  bcc?: string[] | null;
  /** The agent's uploads for this ticket attached to the reply (kept from the day-old clean-up while the draft holds them). */
  uploadIds?: Types.ObjectId[];
  updatedAt: Date;
}

const replyDraftSchema = new Schema<ReplyDraftDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    text: { type: String, default: '' },
    html: { type: String, default: null },
    cc: { type: [String], default: null },
    to: { type: [String], default: null },
    bcc: { type: [String], default: null },
    uploadIds: { type: [Schema.Types.ObjectId], default: undefined },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reply_drafts', versionKey: false },
);
// One draft per user and ticket, upserted on save; a list page reads its rows' drafts with one `$in`
// on this index (equality on the user, then the page's ticket ids).
replyDraftSchema.index({ userId: 1, ticketId: 1 }, { unique: true });
// The upload clean-up reads the uploads drafts hold (only drafts with files have the field).
replyDraftSchema.index({ uploadIds: 1 }, { sparse: true });

export type ReplyDraftModel = Model<ReplyDraftDoc>;

export function replyDraftModel(conn: Connection): ReplyDraftModel {
  return conn.model<ReplyDraftDoc>('ReplyDraft', replyDraftSchema);
}
