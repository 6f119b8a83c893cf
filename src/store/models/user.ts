import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { NotificationPrefs } from '../../domain/notifications.js';
import { USER_ROLES, type UserRole } from '../../domain/user-roles.js';

// Kept while test helpers import the role type from here; new code imports it from src/domain.
export type { UserRole };

export interface UserDoc {
  _id: Types.ObjectId;
  email: string;
  name?: string | null;
  role: UserRole;
  passwordHash: string;
  inboxIds: Types.ObjectId[];
  disabled: boolean;
  /** Set by the user themself: away (holiday, sick), so they are not counted on to pick up tickets. Absent on older users: false. */
  away?: boolean;
  /** When they last became away; null while not away. */
  awaySince?: Date | null;
  /** An agent allowed to write knowledge base articles (set by an admin). Absent on older users: false. */
  kbEditor?: boolean;
  lastLoginAt?: Date | null;
  /** The user's language (`en`, `fr`); null follows the browser. */
  locale?: string | null;
  /** The user's IANA time zone; null until set (the instance default, else the browser's at first sign-in). */
  timeZone?: string | null;
  /** Which notification kinds are mailed to them: their choices; a kind left out follows its default. */
  notify?: NotificationPrefs;
  /** A manager's digest email: when (cron in a time zone), for which inboxes (empty: all of theirs). */
  digest: {
    enabled: boolean;
    cron: string;
    timeZone: string;
    inboxIds: Types.ObjectId[];
    lastSentAt?: Date | null;
    /** When the user asked for a digest right now, within the rate limit's window (send-digest-now.ts). */
    sentNowAt?: Date[];
  };
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, default: null },
    role: { type: String, enum: USER_ROLES, required: true, default: 'agent' },
    // select: false keeps the hash out of every query that does not ask for it by name.
    passwordHash: { type: String, required: true, select: false },
    inboxIds: { type: [Schema.Types.ObjectId], ref: 'Inbox', default: [] },
    disabled: { type: Boolean, default: false },
    away: { type: Boolean, default: false },
    awaySince: { type: Date, default: null },
    kbEditor: { type: Boolean, default: false },
    lastLoginAt: { type: Date, default: null },
    locale: { type: String, default: null },
    timeZone: { type: String, default: null },
    notify: { type: Schema.Types.Mixed, default: {} },
    digest: {
      enabled: { type: Boolean, default: false },
      cron: { type: String, default: '0 8 * * 1-5' },
      timeZone: { type: String, default: 'UTC' },
      inboxIds: { type: [Schema.Types.ObjectId], default: [] },
      lastSentAt: { type: Date, default: null },
      sentNowAt: { type: [Date], default: undefined },
    },
  },
  { timestamps: true, collection: 'users' },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ inboxIds: 1 });

export type UserModel = Model<UserDoc>;

export function userModel(conn: Connection): UserModel {
  return conn.model<UserDoc>('User', userSchema);
}
