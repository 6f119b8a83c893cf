import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface ContactDoc {
  _id: Types.ObjectId;
  email: string;
  name?: string | null;
  /** The language to write to them in (`en`, `fr`), as detected from their mail; null until known. */
  locale?: string | null;
  bounce: { bouncing: boolean; lastBounceAt?: Date | null; reason?: string | null };
  /**
   * Set on an alias: the primary contact an admin linked this address to (services/contacts); with its
   * aliases the primary is one person. Null or absent: a primary contact. An alias never has aliases.
   */
  primaryContactId?: Types.ObjectId | null;
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
    // No default: only aliases have one (a sparse index of few entries).
    primaryContactId: { type: Schema.Types.ObjectId, ref: 'Contact' },
  },
  { timestamps: true, collection: 'contacts' },
);
contactSchema.index({ email: 1 }, { unique: true });
// A person's aliases, found from their primary contact.
contactSchema.index({ primaryContactId: 1 }, { sparse: true });

export type ContactModel = Model<ContactDoc>;

export function contactModel(conn: Connection): ContactModel {
  return conn.model<ContactDoc>('Contact', contactSchema);
}
