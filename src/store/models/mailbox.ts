import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * Where a mailbox has been read up to (RFC 3501 §2.3.1.1): UIDs are only meaningful together with
 * UIDVALIDITY. Written only after the message below `lastUid` is committed.
 */
export interface MailboxCursorDoc {
  _id: string;
  inboxId: Types.ObjectId;
  folder: string;
  uidValidity: string;
  lastUid: number;
  updatedAt: Date;
}

/** Which process works a mailbox; a lease that is not renewed expires and may be taken over. */
export interface MailboxLeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
  acquiredAt: Date;
}

/** What the poller of an inbox last reported: shown in /healthz and the inbox API. */
export interface InboxStatusDoc {
  _id: Types.ObjectId;
  state: 'starting' | 'connecting' | 'syncing' | 'idle' | 'polling' | 'backoff' | 'error' | 'stopped';
  owner?: string | null;
  lastSyncAt?: Date | null;
  behind: number;
  backlog?: { total: number; done: number; since?: Date | null } | null;
  lastError?: { code: string; message: string; at: Date } | null;
  nextAttemptAt?: Date | null;
  updatedAt: Date;
}

const cursorSchema = new Schema<MailboxCursorDoc>(
  {
    _id: { type: String, required: true },
    inboxId: { type: Schema.Types.ObjectId, required: true },
    folder: { type: String, required: true },
    uidValidity: { type: String, required: true },
    lastUid: { type: Number, required: true, default: 0 },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { collection: 'mailbox_cursors', versionKey: false },
);

const leaseSchema = new Schema<MailboxLeaseDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    acquiredAt: { type: Date, required: true },
  },
  { collection: 'mailbox_leases', versionKey: false },
);

const statusSchema = new Schema<InboxStatusDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, required: true },
    owner: { type: String, default: null },
    lastSyncAt: { type: Date, default: null },
    behind: { type: Number, default: 0 },
    backlog: { type: Schema.Types.Mixed, default: null },
    lastError: { type: Schema.Types.Mixed, default: null },
    nextAttemptAt: { type: Date, default: null },
    updatedAt: { type: Date, default: () => new Date() },
  },
  { collection: 'inbox_status', versionKey: false },
);

export type MailboxCursorModel = Model<MailboxCursorDoc>;
export type MailboxLeaseModel = Model<MailboxLeaseDoc>;
export type InboxStatusModel = Model<InboxStatusDoc>;

export function mailboxCursorModel(conn: Connection): MailboxCursorModel {
  return conn.model<MailboxCursorDoc>('MailboxCursor', cursorSchema);
}
export function mailboxLeaseModel(conn: Connection): MailboxLeaseModel {
  return conn.model<MailboxLeaseDoc>('MailboxLease', leaseSchema);
}
export function inboxStatusModel(conn: Connection): InboxStatusModel {
  return conn.model<InboxStatusDoc>('InboxStatus', statusSchema);
}
