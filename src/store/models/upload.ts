import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A file an agent uploaded for a mail they are writing (the reply form, a new conversation, the
 * API's `POST /uploads`), staged until the mail is sent. The bytes are in GridFS (the blob store);
 * sending the mail marks the upload used and the message then references the same file. Only its
 * uploader may see or attach it; an unused upload older than a day is removed with its file.
 */
export interface UploadDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  /** The ticket it was uploaded for; null for a new conversation (then `inboxId` says where from). */
  ticketId: Types.ObjectId | null;
  inboxId: Types.ObjectId | null;
  /** The file in GridFS. */
  fileId: Types.ObjectId;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
  /** When a sent mail took it (then its file belongs to that message and is never cleaned up). */
  usedAt: Date | null;
}

const uploadSchema = new Schema<UploadDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', default: null },
    fileId: { type: Schema.Types.ObjectId, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    createdAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { collection: 'uploads', versionKey: false },
);
// The clean-up finds unused uploads by age.
uploadSchema.index({ usedAt: 1, createdAt: 1 });

export type UploadModel = Model<UploadDoc>;

export function uploadModel(conn: Connection): UploadModel {
  return conn.model<UploadDoc>('Upload', uploadSchema);
}
