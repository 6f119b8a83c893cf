import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../domain/notifications.js';

/** Where a notification's mail stands: waiting for its batch, claimed by a batch, mailed, or not to be mailed. */
export const NOTIFICATION_MAIL_STATES = ['pending', 'batched', 'sent', 'skipped'] as const;
export type NotificationMailState = (typeof NOTIFICATION_MAIL_STATES)[number];

/**
 * One event on a ticket for one person: listed in their in-app notifications (the newest 50), and
 * mailed to them in a batch of its kind unless they switched that kind off.
 */
export interface NotificationDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  kind: NotificationKind;
  /** Unique per person and event (`<userId>:<event key>`): recording the same event twice is a no-op. */
  key: string;
  ticketId: Types.ObjectId;
  ticketNumber: number;
  ticketSubject: string;
  inboxId: Types.ObjectId;
  /** When the event happened. */
  at: Date;
  /** What the list and the mail show of the event: who did it, an excerpt, the SLA clock and due time… */
  data: Record<string, unknown>;
  readAt: Date | null;
  mail: NotificationMailState;
  /** The batch that claimed it for one mail (its id is the outbox dedupe key); null before. */
  mailBatch: string | null;
  mailedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const notificationSchema = new Schema<NotificationDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    key: { type: String, required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    ticketNumber: { type: Number, required: true },
    ticketSubject: { type: String, default: '' },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    at: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    readAt: { type: Date, default: null },
    mail: { type: String, enum: NOTIFICATION_MAIL_STATES, default: 'pending' },
    mailBatch: { type: String, default: null },
    mailedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'notifications', minimize: false },
);
notificationSchema.index({ key: 1 }, { unique: true });
// A person's list, newest first, and their unread count.
notificationSchema.index({ userId: 1, at: -1, _id: -1 });
notificationSchema.index({ userId: 1, readAt: 1 });
// A person's mail work: what waits per kind, what a batch claimed, when a kind was last mailed.
notificationSchema.index({ userId: 1, mail: 1, kind: 1, at: 1 });
notificationSchema.index({ userId: 1, kind: 1, mailedAt: -1 });
notificationSchema.index({ mailBatch: 1 });
// A ticket's notifications, for erasing a person (store/erasure-side-writes.ts).
notificationSchema.index({ ticketId: 1 });

export type NotificationModel = Model<NotificationDoc>;

export function notificationModel(conn: Connection): NotificationModel {
  return conn.model<NotificationDoc>('Notification', notificationSchema);
}
