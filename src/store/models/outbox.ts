import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { OUTBOX_KINDS, OUTBOX_STATES, type OutboxKind, type OutboxState } from '../../domain/outbox.js';

/**
 * A mail Threadline sends. The composed bytes are stored when it is queued, so every delivery attempt
 * (including one repeated after a crash) sends the very same message with the same Message-ID.
 */
export interface OutboxDoc {
  _id: Types.ObjectId;
  kind: OutboxKind;
  inboxId: Types.ObjectId;
  ticketId?: Types.ObjectId | null;
  messageId: string;
  subject: string;
  envelope: { from: string; to: string[] };
  /** The composed bytes; empty when they are kept in the blob store instead (`rawBlobId`: a large mail). */
  raw: Buffer;
  /** The GridFS file holding the composed bytes of a mail too large for its document; removed once sent. */
  rawBlobId?: Types.ObjectId | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt?: Date | null;
  /**
   * While state is 'sending': the delivery run that holds the mail and until when. Another run may
   * take it over only once the claim has expired (its holder died); settling clears both.
   */
  claimedBy?: string | null;
  claimedUntil?: Date | null;
  lastError?: { code: string; message: string; smtpCode?: number | null; at: Date } | null;
  smtpResponse?: string | null;
  sentAt?: Date | null;
  /** Makes queueing idempotent: one auto-reply per received mail, one reminder per SLA event, … */
  dedupeKey?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    kind: { type: String, enum: OUTBOX_KINDS, required: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    messageId: { type: String, required: true },
    subject: { type: String, default: '' },
    envelope: { from: { type: String, default: '' }, to: { type: [String], required: true } },
    // Not `required`: a large mail's bytes are in GridFS and this is empty.
    raw: { type: Buffer, default: () => Buffer.alloc(0) },
    rawBlobId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, enum: OUTBOX_STATES, default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: null },
    claimedBy: { type: String, default: null },
    claimedUntil: { type: Date, default: null },
    lastError: { type: Schema.Types.Mixed, default: null },
    smtpResponse: { type: String, default: null },
    sentAt: { type: Date, default: null },
    dedupeKey: { type: String },
  },
  { timestamps: true, collection: 'outbox' },
);
outboxSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true });
outboxSchema.index({ messageId: 1 }, { unique: true });
outboxSchema.index({ ticketId: 1, createdAt: 1 });
// Auto-reply limits: the last auto-reply to a sender, and how many an inbox sent in the last hour.
outboxSchema.index({ kind: 1, 'envelope.to': 1, createdAt: -1 });
outboxSchema.index({ kind: 1, inboxId: 1, createdAt: -1 });
outboxSchema.index({ state: 1, nextAttemptAt: 1 });

export type OutboxModel = Model<OutboxDoc>;

export function outboxModel(conn: Connection): OutboxModel {
  return conn.model<OutboxDoc>('Outbox', outboxSchema);
}
