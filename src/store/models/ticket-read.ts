import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * Where one user stands with one ticket's news: when they last opened it (`readAt`), or null when they
 * marked it unread. No entry: never opened. Read by that user alone (domain/unread.ts).
 */
export interface TicketReadDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  ticketId: Types.ObjectId;
  readAt: Date | null;
}

const ticketReadSchema = new Schema<TicketReadDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    readAt: { type: Date, default: null },
  },
  { collection: 'ticket_reads', versionKey: false },
);
// One entry per user and ticket, upserted when they open it; a list page reads its rows' entries with
// one `$in` on this index (equality on the user, then the page's ticket ids).
ticketReadSchema.index({ userId: 1, ticketId: 1 }, { unique: true });

export type TicketReadModel = Model<TicketReadDoc>;

export function ticketReadModel(conn: Connection): TicketReadModel {
  return conn.model<TicketReadDoc>('TicketRead', ticketReadSchema);
}
