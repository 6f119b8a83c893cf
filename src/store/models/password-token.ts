import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { PASSWORD_TOKEN_PURPOSES, type PasswordTokenPurpose } from '../../domain/password-links.js';

/**
 * A one-time link to set a user's password. Only the SHA-256 of its random token is stored, so a
 * database read does not hand out working links; using the link deletes the document.
 */
export interface PasswordTokenDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  tokenHash: string;
  purpose: PasswordTokenPurpose;
  /** The admin who issued it (null for the operator CLI). */
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  expiresAt: Date;
}

const passwordTokenSchema = new Schema<PasswordTokenDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    tokenHash: { type: String, required: true },
    purpose: { type: String, enum: PASSWORD_TOKEN_PURPOSES, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'password_tokens', versionKey: false },
);
passwordTokenSchema.index({ tokenHash: 1 }, { unique: true });
// A new link replaces the user's older ones, and a set password or a disabled account removes them all.
passwordTokenSchema.index({ userId: 1 });
// Expired links are refused in code at once; the TTL index only keeps the collection small.
passwordTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type PasswordTokenModel = Model<PasswordTokenDoc>;

export function passwordTokenModel(conn: Connection): PasswordTokenModel {
  return conn.model<PasswordTokenDoc>('PasswordToken', passwordTokenSchema);
}
