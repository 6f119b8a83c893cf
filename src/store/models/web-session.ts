import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A browser session. The cookie carries a random token; only its SHA-256 is stored as `_id`, so a
 * database read does not hand out live sessions.
 */
export interface WebSessionDoc {
  _id: string;
  userId: Types.ObjectId;
  /** Synchronizer token every form POST of this session must echo. */
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** createdAt + absolute lifetime: the session ends then however active it is. */
  absoluteExpiresAt: Date;
  /** The earlier of the idle and the absolute deadline; the TTL index removes sessions past it. */
  expiresAt: Date;
  userAgent?: string | null;
  /** A secret waiting to be shown once on this session's next page (a new API token, a password link), sealed. */
  reveal?: { scope: string; sealed: string; expiresAt: Date } | null;
}

const webSessionSchema = new Schema<WebSessionDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    absoluteExpiresAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    userAgent: { type: String, default: null },
    reveal: { type: new Schema({ scope: String, sealed: String, expiresAt: Date }, { _id: false }), default: null, select: false },
  },
  { collection: 'web_sessions', versionKey: false },
);
// Expired sessions are refused in code at once; the TTL index only keeps the collection small.
webSessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
// Logging a user out everywhere (disabled account, password change) finds their sessions.
webSessionSchema.index({ userId: 1 });

export type WebSessionModel = Model<WebSessionDoc>;

export function webSessionModel(conn: Connection): WebSessionModel {
  return conn.model<WebSessionDoc>('WebSession', webSessionSchema);
}
