import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One saved version of an article (`kb_revisions`): every save adds one; restoring adds a new one
 * copying an older one (`restoredFrom`), so history only grows.
 */
export interface KbRevisionDoc {
  _id: Types.ObjectId;
  articleId: Types.ObjectId;
  /** 1, 2, 3… per article, the article's `revision` when it was saved. */
  number: number;
  title: string;
  body: string;
  editorId: Types.ObjectId | null;
  at: Date;
  /** The revision this one restored; null for an ordinary save. */
  restoredFrom: number | null;
}

const kbRevisionSchema = new Schema<KbRevisionDoc>(
  {
    articleId: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    number: { type: Number, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    editorId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    at: { type: Date, required: true },
    restoredFrom: { type: Number, default: null },
  },
  { collection: 'kb_revisions', versionKey: false },
);
// An article's history, newest first; one revision per number.
kbRevisionSchema.index({ articleId: 1, number: -1 }, { unique: true });

export type KbRevisionModel = Model<KbRevisionDoc>;

export function kbRevisionModel(conn: Connection): KbRevisionModel {
  return conn.model<KbRevisionDoc>('KbRevision', kbRevisionSchema);
}
