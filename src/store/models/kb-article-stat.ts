import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One article's help center counts for one UTC day (`kb_article_stats`): page views, helpful yes and
 * no votes, and "Still need help?" click-throughs. Nothing about the readers is kept, only the sums;
 * each event adds to its day's document with one `$inc`, so a period is a sum over its days.
 */
export interface KbArticleStatDoc {
  _id: Types.ObjectId;
  articleId: Types.ObjectId;
  /** The UTC day, `YYYY-MM-DD` (sorts as it reads). */
  day: string;
  views: number;
  yes: number;
  no: number;
  contact: number;
}

const kbArticleStatSchema = new Schema<KbArticleStatDoc>(
  {
    articleId: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    day: { type: String, required: true },
    views: { type: Number, default: 0 },
    yes: { type: Number, default: 0 },
    no: { type: Number, default: 0 },
    contact: { type: Number, default: 0 },
  },
  { collection: 'kb_article_stats', versionKey: false },
);
// One document per article and day (the upsert's key), an article's days in order.
kbArticleStatSchema.index({ articleId: 1, day: 1 }, { unique: true });
// A period's documents, for the stats table.
kbArticleStatSchema.index({ day: 1 });

export type KbArticleStatModel = Model<KbArticleStatDoc>;

export function kbArticleStatModel(conn: Connection): KbArticleStatModel {
  return conn.model<KbArticleStatDoc>('KbArticleStat', kbArticleStatSchema);
}
