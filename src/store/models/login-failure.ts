import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One failed browser login, kept for the throttling window. Counting them in MongoDB (rather than in
 * process memory) makes the limit hold across every web process.
 */
export interface LoginFailureDoc {
  /** Who was tried from where: `email|ip` for the per-account limit, `ip|<ip>` for the per-address one. */
  key: string;
  at: Date;
}

/** How long a failure counts. */
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

const loginFailureSchema = new Schema<LoginFailureDoc>(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'login_failures', versionKey: false },
);
loginFailureSchema.index({ key: 1, at: -1 });
loginFailureSchema.index({ at: 1 }, { expireAfterSeconds: LOGIN_FAILURE_WINDOW_SECONDS });

export type LoginFailureModel = Model<LoginFailureDoc>;

export function loginFailureModel(conn: Connection): LoginFailureModel {
  return conn.model<LoginFailureDoc>('LoginFailure', loginFailureSchema);
}
