import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { KB_LANGUAGES, type KbLanguage } from '../../domain/kb-articles.js';

/** A knowledge base category (`kb_categories`): a name in one language, shown in `position` order. */
export interface KbCategoryDoc {
  _id: Types.ObjectId;
  name: string;
  description: string | null;
  language: KbLanguage;
  /** Unique within its language (`/help/<language>/c/<slug>`). */
  slug: string;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

const kbCategorySchema = new Schema<KbCategoryDoc>(
  {
    name: { type: String, required: true },
    description: { type: String, default: null },
    language: { type: String, enum: KB_LANGUAGES, required: true },
    slug: { type: String, required: true },
    position: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'kb_categories' },
);
kbCategorySchema.index({ language: 1, slug: 1 }, { unique: true });
kbCategorySchema.index({ language: 1, position: 1, name: 1 });

export type KbCategoryModel = Model<KbCategoryDoc>;

export function kbCategoryModel(conn: Connection): KbCategoryModel {
  return conn.model<KbCategoryDoc>('KbCategory', kbCategorySchema);
}
