import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A received mail that could not become (part of) a ticket: unparseable, too large, or a bounce whose
 * original message is unknown. Kept raw with the reason, for admins; the mailbox cursor moves past it.
 */
export interface QuarantineDoc {
  _id: Types.ObjectId;
  inboxId: Types.ObjectId;
  reason: string;
  detail: string;
  contentHash: string;
  size: number;
  raw?: { fileId: Types.ObjectId; size: number; sha256: string } | null;
  source?: { folder: string; uidValidity: string; uid: number } | null;
  subject?: string | null;
  from?: string | null;
  createdAt: Date;
  releasedAt?: Date | null;
}

const quarantineSchema = new Schema<QuarantineDoc>(
  {
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    reason: { type: String, required: true },
    detail: { type: String, default: '' },
    contentHash: { type: String, required: true },
    size: { type: Number, required: true },
    raw: { type: new Schema({ fileId: Schema.Types.ObjectId, size: Number, sha256: String }, { _id: false }), default: null },
    source: { type: new Schema({ folder: String, uidValidity: String, uid: Number }, { _id: false }), default: null },
    subject: { type: String, default: null },
    from: { type: String, default: null },
    createdAt: { type: Date, default: () => new Date() },
    releasedAt: { type: Date, default: null },
  },
  { collection: 'quarantine', versionKey: false },
);
// The same broken mail met again (re-sync, second poller) is recorded once per inbox.
quarantineSchema.index({ inboxId: 1, contentHash: 1 }, { unique: true });
quarantineSchema.index({ createdAt: -1 });

export type QuarantineModel = Model<QuarantineDoc>;

export function quarantineModel(conn: Connection): QuarantineModel {
  return conn.model<QuarantineDoc>('Quarantine', quarantineSchema);
}
