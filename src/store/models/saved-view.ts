import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A user's own named combination of ticket list filters, shown in the list's view bar for them only. */
export interface SavedViewDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  name: string;
  /** The list filters as query parameters (inbox, status, assignee, teams, team, level, priority, age, category, tag, q, due), each optional. */
  filters: Partial<Record<'inbox' | 'status' | 'assignee' | 'teams' | 'team' | 'level' | 'priority' | 'age' | 'category' | 'tag' | 'q' | 'due', string>>;
  createdAt: Date;
  updatedAt: Date;
}

const savedViewSchema = new Schema<SavedViewDoc>(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    name: { type: String, required: true },
    filters: { type: Schema.Types.Mixed, default: {} },
  },
  { timestamps: true, collection: 'saved_views', minimize: false },
);
// A user's views by name (the view bar, the API list, the per-user count).
savedViewSchema.index({ userId: 1, name: 1, _id: 1 });

export type SavedViewModel = Model<SavedViewDoc>;

export function savedViewModel(conn: Connection): SavedViewModel {
  return conn.model<SavedViewDoc>('SavedView', savedViewSchema);
}
