import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { TICKET_EVENT_ACTOR_KINDS, TICKET_EVENT_TYPES, type TicketEventActorKind, type TicketEventType } from '../../domain/ticket-events.js';

export interface TicketEventDoc {
  _id: Types.ObjectId;
  ticketId: Types.ObjectId;
  type: TicketEventType;
  actor: { kind: TicketEventActorKind; id?: Types.ObjectId | null; label?: string | null };
  data: Record<string, unknown>;
  /** Set for events written by retryable steps, so a retry cannot record the same event twice. */
  key?: string | null;
  at: Date;
}

const ticketEventSchema = new Schema<TicketEventDoc>(
  {
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    type: { type: String, enum: TICKET_EVENT_TYPES, required: true },
    actor: {
      kind: { type: String, enum: TICKET_EVENT_ACTOR_KINDS, required: true },
      id: { type: Schema.Types.ObjectId, default: null },
      label: { type: String, default: null },
    },
    data: { type: Schema.Types.Mixed, default: {} },
    key: { type: String },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'ticket_events', minimize: false },
);
ticketEventSchema.index({ ticketId: 1, at: 1, _id: 1 });
ticketEventSchema.index({ key: 1 }, { unique: true, sparse: true });
// The entries of one type in a period: a digest's SLA breaches (trail-store.ts breachesIn).
ticketEventSchema.index({ type: 1, at: 1 });

export type TicketEventModel = Model<TicketEventDoc>;

export function ticketEventModel(conn: Connection): TicketEventModel {
  return conn.model<TicketEventDoc>('TicketEvent', ticketEventSchema);
}
