import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { PRESENCE_STATES, type PresenceState } from '../../domain/presence.js';

/** That a user has a ticket open (or is writing a reply on it), until `expiresAt` unless renewed. */
export interface TicketPresenceDoc {
  _id: Types.ObjectId;
  ticketId: Types.ObjectId;
  userId: Types.ObjectId;
  state: PresenceState;
  seenAt: Date;
  expiresAt: Date;
}

const ticketPresenceSchema = new Schema<TicketPresenceDoc>(
  {
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    state: { type: String, enum: PRESENCE_STATES, required: true },
    seenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'ticket_presence', versionKey: false },
);
// One entry per user and ticket, upserted by every heartbeat; the ticket page lists a ticket's entries.
ticketPresenceSchema.index({ ticketId: 1, userId: 1 }, { unique: true });
// Stale entries are ignored in code at once; the TTL index only keeps the collection small.
ticketPresenceSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type TicketPresenceModel = Model<TicketPresenceDoc>;

export function ticketPresenceModel(conn: Connection): TicketPresenceModel {
  return conn.model<TicketPresenceDoc>('TicketPresence', ticketPresenceSchema);
}
