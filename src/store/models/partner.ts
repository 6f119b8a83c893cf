import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * An outside partner (support level 4): someone outside the team an agent may write to about a
 * ticket, in a side conversation (services/side-conversations). A name and an address.
 */
export interface PartnerDoc {
  _id: Types.ObjectId;
  name: string;
  /** Lower-cased mail address. */
  address: string;
  /** What agents should know about the partner (what they handle, when to ask them). */
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const partnerSchema = new Schema<PartnerDoc>(
  {
    name: { type: String, required: true, trim: true },
    address: { type: String, required: true, lowercase: true, trim: true },
    note: { type: String, default: null },
  },
  { timestamps: true, collection: 'partners' },
);
// One partner per address: the use cases check first, the index settles races.
partnerSchema.index({ address: 1 }, { unique: true });

export type PartnerModel = Model<PartnerDoc>;

export function partnerModel(conn: Connection): PartnerModel {
  return conn.model<PartnerDoc>('Partner', partnerSchema);
}
