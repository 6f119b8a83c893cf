import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * A category admins define for tickets ("Accès / mot de passe", "Facturation", "Incident"): for one
 * inbox, or for every inbox when `inboxId` is null. Archived categories stay on the tickets that have
 * them but cannot be chosen any more.
 */
export interface CategoryDoc {
  _id: Types.ObjectId;
  name: string;
  /** null: a category of every inbox. */
  inboxId: Types.ObjectId | null;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const categorySchema = new Schema<CategoryDoc>(
  {
    name: { type: String, required: true, trim: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', default: null },
    archived: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'categories' },
);
// A name once per scope (one inbox, or every inbox): the use cases check first, the index settles races.
categorySchema.index({ inboxId: 1, name: 1 }, { unique: true });

export type CategoryModel = Model<CategoryDoc>;

export function categoryModel(conn: Connection): CategoryModel {
  return conn.model<CategoryDoc>('Category', categorySchema);
}
