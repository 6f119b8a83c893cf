import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface ContactDoc {
  _id: Types.ObjectId;
  email: string;
  name?: string | null;
  /** The language to write to them in (`en`, `fr`), as detected from their mail; null until known. */
  locale?: string | null;
  bounce: { bouncing: boolean; lastBounceAt?: Date | null; reason?: string | null };
  createdAt: Date;
  updatedAt: Date;
}

const contactSchema = new Schema<ContactDoc>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, default: null },
    locale: { type: String, default: null },
    bounce: {
      bouncing: { type: Boolean, default: false },
      lastBounceAt: { type: Date, default: null },
      reason: { type: String, default: null },
    },
  },
  { timestamps: true, collection: 'contacts' },
);
contactSchema.index({ email: 1 }, { unique: true });

export type ContactModel = Model<ContactDoc>;

export function contactModel(conn: Connection): ContactModel {
  return conn.model<ContactDoc>('Contact', contactSchema);
}
