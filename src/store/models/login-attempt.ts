import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A counter of login attempts for one key within one throttling window. Counting in MongoDB (rather
 * than in process memory) makes the limit hold across every web process, and a counter taken with
 * one atomic `$inc` before the password check makes it hold against parallel guesses.
 */
export interface LoginAttemptDoc {
  /** Who was tried from where: `email|ip` for the per-account limit, `ip|<ip>` for the per-address one. */
  _id: string;
  /** Attempts that reached the password check in this window and were not released by a success. */
  count: number;
  /** End of the window, which starts at the first attempt; the TTL index removes the counter after it. */
  expiresAt: Date;
}

const loginAttemptSchema = new Schema<LoginAttemptDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'login_attempts', versionKey: false },
);
// Expired counters are ignored in code at once; the TTL index only keeps the collection small.
loginAttemptSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type LoginAttemptModel = Model<LoginAttemptDoc>;

export function loginAttemptModel(conn: Connection): LoginAttemptModel {
  return conn.model<LoginAttemptDoc>('LoginAttempt', loginAttemptSchema);
}
