import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A bearer token for the JSON API; only its SHA-256 is stored, the token itself is shown once. */
export interface ApiTokenDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  tokenHash: string;
  label?: string | null;
  createdAt: Date;
  lastUsedAt?: Date | null;
  expiresAt?: Date | null;
}

const apiTokenSchema = new Schema<ApiTokenDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    tokenHash: { type: String, required: true },
    label: { type: String, default: null },
    createdAt: { type: Date, default: () => new Date() },
    lastUsedAt: { type: Date, default: null },
    expiresAt: { type: Date, default: null },
  },
  { collection: 'api_tokens', versionKey: false },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1 });

export type ApiTokenModel = Model<ApiTokenDoc>;

export function apiTokenModel(conn: Connection): ApiTokenModel {
  return conn.model<ApiTokenDoc>('ApiToken', apiTokenSchema);
}
