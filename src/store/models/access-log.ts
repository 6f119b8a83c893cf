import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { ACCESS_ACTIONS, ACCESS_LOG_DETAIL_MAX, type AccessAction } from '../../domain/access-log.js';

/**
 * One entry of the access log (`access_log`, domain/access-log.ts): who did what to which ticket,
 * inbox or person, and when. Append-only; the daily purge job removes entries past the retention.
 */
export interface AccessLogDoc {
  _id: Types.ObjectId;
  at: Date;
  /** Null: the system (a job). */
  userId: Types.ObjectId | null;
  action: AccessAction;
  ticketId: Types.ObjectId | null;
  inboxId: Types.ObjectId | null;
  contactId: Types.ObjectId | null;
  /** Ids and counts only, never customers' data. */
  detail: string | null;
}

const accessLogSchema = new Schema<AccessLogDoc>(
  {
    at: { type: Date, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    action: { type: String, enum: [...ACCESS_ACTIONS], required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', default: null },
    contactId: { type: Schema.Types.ObjectId, ref: 'Contact', default: null },
    detail: { type: String, maxlength: ACCESS_LOG_DETAIL_MAX, default: null },
  },
  { collection: 'access_log', versionKey: false },
);
// The admin page reads newest first (keyset on at, _id) and the purge by time; "who opened this
// ticket" and "what did this user open" by owner, then time.
accessLogSchema.index({ at: -1, _id: -1 });
accessLogSchema.index({ ticketId: 1, at: -1, _id: -1 });
accessLogSchema.index({ userId: 1, at: -1, _id: -1 });

/** The `access_log` model. */
export type AccessLogModel = Model<AccessLogDoc>;

/** Registers the `access_log` model on a connection. */
export function accessLogModel(conn: Connection): AccessLogModel {
  return conn.model<AccessLogDoc>('AccessLog', accessLogSchema);
}
